"""Where things are kept: the database, the files (local or S3-compatible), the channel layer
and the cache (in-process by default, PostgreSQL and Redis in production).
"""

from pathlib import Path

from icanvas_site.settings.environment import BASE_DIR, env

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The worker writes from a thread while requests write from others:
    # wait for the lock instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    # SQLite keeps CONN_MAX_AGE 0 (README "Production settings"): the embedded default is one
    # ASGI process, where a kept connection is never reused (see below).
else:
    # PostgreSQL: CONN_MAX_AGE seconds to keep a connection, checked before reuse so a restarted
    # database costs no error. 0 by default: under ASGI each request's sync code runs in a
    # thread of its own, so a kept connection is never reused, only left open (measured with
    # scripts/web_rss.py). Set it (e.g. 60) for `manage.py inference_worker` processes, whose
    # database work runs in one thread and reuses it.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "media/"  # never served directly: drawings go through views that check the family

# Files: local media by default; S3-compatible storage when a bucket is named.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedStaticFilesStorage",
        )
    },
}

# Channels: in-memory in one process by default, Redis for several processes.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # channels_redis' layer whose readers always end when cancelled (Python 3.11).
            "BACKEND": "icanvas_site.channel_layer.CancellableRedisChannelLayer",
            "CONFIG": {
                # redis-py's 5 s socket timeout equals channels_redis' 5 s blocking read on an
                # idle channel, so the read timed out first and crashed the socket's consumer:
                # the socket waits longer than the read.
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": env.float("REDIS_SOCKET_TIMEOUT", default=15.0),
                    }
                ],
                "capacity": 1000,
                "expiry": 60,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# The cache holds counters that must agree across processes (sockets per child, throttles):
# Redis where there is one, this process's memory otherwise.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "icanvas",
        }
    }
else:
    # One process (the embedded default): its memory is the one place every request sees, so
    # django-axes' warning about a per-process cache does not apply here.
    SILENCED_SYSTEM_CHECKS = ["axes.W001"]
