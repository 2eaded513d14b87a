"""Where the settings come from: the environment, or a `.env` beside the project; debug,
the secret key and the hosts served.
"""

from pathlib import Path

import django_stubs_ext
import environ

# Lets `admin.ModelAdmin[Drawing]` and friends work at run time, as the type stubs expect.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# The embedded default needs a key to start; production must set its own
# (manage.py check --deploy flags this one as insecure on purpose).
SECRET_KEY = env.str(
    "SECRET_KEY", default="django-insecure-embedded-default-change-me-in-production"
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
