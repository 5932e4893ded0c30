"""Production settings: PostgreSQL and Redis from the environment, HTTPS behind a proxy.

Required environment: SECRET_KEY, DATABASE_URL and ALLOWED_HOSTS (or Render's
RENDER_EXTERNAL_HOSTNAME). REDIS_URL is optional: without it each process has its own
in-memory cache, so throttle counters are not shared between workers.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, LOGGING, REST_FRAMEWORK, SPECTACULAR_SETTINGS, env

DEBUG = False

# base.py falls back to a development key when DEBUG is on in the environment, so the key
# is read again here and must be set.
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY is missing: set it in the environment.")

if not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured(
        "DATABASE_URL is missing: set it to the PostgreSQL URL, e.g. postgres://user@host/db."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
# Render sets this to the service's public host name, e.g. helpdesk-api.onrender.com.
RENDER_EXTERNAL_HOSTNAME = env.str("RENDER_EXTERNAL_HOSTNAME", default="")
if RENDER_EXTERNAL_HOSTNAME:
    ALLOWED_HOSTS.append(RENDER_EXTERNAL_HOSTNAME)
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is empty: set it to the public host names.")

# ---------------------------------------------------------------------------
# Database: one persistent connection per worker thread, checked before reuse
# ---------------------------------------------------------------------------

DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=600)
# A reused connection that the server dropped (for example across a PostgreSQL restart)
# is detected before the request's first query and replaced, instead of failing it.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})
DATABASES["default"]["OPTIONS"].setdefault(
    "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT_SECONDS", default=5)
)

# ---------------------------------------------------------------------------
# HTTPS behind Render's proxy
# ---------------------------------------------------------------------------

# Render terminates TLS and forwards plain HTTP with X-Forwarded-Proto set. The
# application must only be reachable through that proxy, or a client could forge it.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Health checks may arrive over plain HTTP from inside the platform; a redirect would
# hide the real status.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
AUTH_COOKIE_SECURE = True

# ---------------------------------------------------------------------------
# Throttling: counters in the shared cache, so a limit applies across workers and instances
# ---------------------------------------------------------------------------

REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_CLASSES": [
        "config.throttling.AnonRateThrottle",
        "config.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        **REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}),
        "anon": env.str("THROTTLE_ANON_RATE", default="300/minute"),
        "user": env.str("THROTTLE_USER_RATE", default="3000/minute"),
    },
    # Render's proxy adds one X-Forwarded-For entry; the anonymous throttle keys on the
    # client address before it instead of on the proxy's address.
    "NUM_PROXIES": env.int("TRUSTED_PROXY_COUNT", default=1),
}
SPECTACULAR_SETTINGS = {
    **SPECTACULAR_SETTINGS,
    "POSTPROCESSING_HOOKS": [
        *SPECTACULAR_SETTINGS.get(
            "POSTPROCESSING_HOOKS", ["drf_spectacular.hooks.postprocess_schema_enums"]
        ),
        "ops.schema.add_throttled_responses",
    ],
}

# ---------------------------------------------------------------------------
# Static files: collected at build time, served by whitenoise with hashed names
# ---------------------------------------------------------------------------

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# ---------------------------------------------------------------------------
# Logging: one JSON object per line, with the request id on every record
# ---------------------------------------------------------------------------

LOGGING["formatters"]["json"] = {
    "()": "pythonjsonlogger.json.JsonFormatter",
    "fmt": ["asctime", "levelname", "name", "message", "request_id"],
    "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
}
LOGGING["handlers"]["console"]["formatter"] = env.str("LOG_FORMAT", default="json")
