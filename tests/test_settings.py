"""Settings come from the environment: embedded defaults, production switches."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "DATABASE_URL": "postgres://icanvas:secret@db.internal:5432/icanvas",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "ALLOWED_HOSTS": "icanvas.example",
    "INFERENCE_DEVICE": "cuda",
    "INFERENCE_EMBEDDED_WORKER": "false",
    "AWS_STORAGE_BUCKET_NAME": "icanvas-media",
    "SECURE_SSL_REDIRECT": "true",
    "SESSION_COOKIE_SECURE": "true",
    "CSRF_COOKIE_SECURE": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
}

PROBE = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "engine": s.DATABASES["default"]["ENGINE"],
    "layer": s.CHANNEL_LAYERS["default"]["BACKEND"],
    "storage": s.STORAGES["default"]["BACKEND"],
    "device": s.INFERENCE_DEVICE,
    "embedded": s.INFERENCE_EMBEDDED_WORKER,
    "debug": s.DEBUG,
}))
"""


def run(args: list[str], extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env = {**keep, "DJANGO_SETTINGS_MODULE": "icanvas_site.settings", **extra_env}
    return subprocess.run(
        [sys.executable, *args],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_embedded_defaults_need_no_environment() -> None:
    result = run(["-c", PROBE], {})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "engine": "django.db.backends.sqlite3",
        "layer": "channels.layers.InMemoryChannelLayer",
        "storage": "django.core.files.storage.FileSystemStorage",
        "device": "cpu",
        "embedded": True,
        "debug": False,
    }


def test_production_variables_switch_every_backend() -> None:
    result = run(["-c", PROBE], PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "engine": "django.db.backends.postgresql",
        "layer": "icanvas_site.channel_layer.CancellableRedisChannelLayer",
        "storage": "storages.backends.s3.S3Storage",
        "device": "cuda",
        "embedded": False,
        "debug": False,
    }


def test_check_deploy_is_clean_with_production_variables() -> None:
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_flags_the_embedded_secret_key() -> None:
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], {})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr


CONNECTIONS = """
import json, django
django.setup()
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps([db["CONN_MAX_AGE"], db["CONN_HEALTH_CHECKS"]]))
"""


def test_database_connections_are_kept_only_where_asked_and_checked_before_reuse() -> None:
    # Embedded SQLite and a PostgreSQL web process close each request's connection (under ASGI
    # a kept one is never reused); a worker's environment asks for CONN_MAX_AGE.
    assert json.loads(run(["-c", CONNECTIONS], {}).stdout) == [0, False]
    assert json.loads(run(["-c", CONNECTIONS], PRODUCTION).stdout) == [0, True]
    worker = {**PRODUCTION, "CONN_MAX_AGE": "60"}
    assert json.loads(run(["-c", CONNECTIONS], worker).stdout) == [60, True]
