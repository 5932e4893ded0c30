"""Settings shared by every environment, read from the process environment.

Development is the default: embedded SQLite, DEBUG on, a throwaway secret key.
`config.settings.production` turns DEBUG off and refuses to start without its secrets;
`config.settings.test` is what pytest uses.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
env_file = BASE_DIR / ".env"
if env_file.exists():
    environ.Env.read_env(env_file)

# ---------------------------------------------------------------------------
# Core
# ---------------------------------------------------------------------------

DEBUG = env.bool("DEBUG", default=True)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is missing: set it in the environment.")
    SECRET_KEY = "development-only-secret-key-not-for-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "tickets",
    "assistant",
    "idempotency",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# Every API path accepts requests with and without a trailing slash (see config/urls.py), so
# CommonMiddleware must never redirect: a redirected POST loses its body.
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# ---------------------------------------------------------------------------
# Database
# ---------------------------------------------------------------------------

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# One transaction per write request (POST, PUT, PATCH, DELETE), opened by
# config.transactions.WriteTransactionMiddleware: a view that fails half-way leaves nothing
# behind, and the exception handler in config/errors.py marks the transaction for rollback
# on every error. Reads run in autocommit, which saves the BEGIN and COMMIT round trips.
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---------------------------------------------------------------------------
# Cache
# ---------------------------------------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# ---------------------------------------------------------------------------
# Accounts and passwords
# ---------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# ---------------------------------------------------------------------------
# REST framework, JWT and the schema
# ---------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.JWTHeaderOrCookieAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["config.parsers.SafeJSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # JSON is the only format, so `?format=` is an ordinary unknown parameter, not a 404.
    "URL_FORMAT_OVERRIDE": None,
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
}

# Names and flags of the HTTP-only cookies that carry the tokens in cookie mode.
AUTH_COOKIE_ACCESS = "access_token"
AUTH_COOKIE_REFRESH = "refresh_token"
AUTH_COOKIE_REFRESH_PATH = "/auth/"
AUTH_COOKIE_SAMESITE = "Lax"
AUTH_COOKIE_SECURE = env.bool("AUTH_COOKIE_SECURE", default=not DEBUG)

CSRF_COOKIE_SECURE = AUTH_COOKIE_SECURE
SESSION_COOKIE_SECURE = AUTH_COOKIE_SECURE
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# A CSRF failure outside DRF (the admin, plain Django views) also gets the JSON error shape.
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"

CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_ALLOW_CREDENTIALS = True

SPECTACULAR_SETTINGS = {
    "TITLE": "Helpdesk API",
    "DESCRIPTION": (
        "Tickets with an administrator-only state machine, availability lists and an assistant. "
        "Authenticate with `Authorization: Bearer <access>` or with the HTTP-only cookies set by "
        "`POST /auth/login` when `use_cookies` is true. Every error has the shape "
        "`{code, detail, fields}`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["config.schema.drop_trailing_slash_duplicates"],
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "tickets.models.TicketStatus.choices",
        "TicketPriorityEnum": "tickets.models.TicketPriority.choices",
        "RoleEnum": "accounts.models.Role.choices",
    },
}

# ---------------------------------------------------------------------------
# Ticket workflow
# ---------------------------------------------------------------------------

# Resolution targets in hours for the priorities given, e.g. "urgent=8,high=24"; the others
# keep their defaults (urgent 24, high 48, medium 72, low 168). Used by /analytics/summary.
TICKET_TARGET_HOURS = env.dict("TICKET_TARGET_HOURS", default={})

# ---------------------------------------------------------------------------
# Assistant: POST /chat/ask, answered by Gemini through the google-genai SDK
# ---------------------------------------------------------------------------

# Without a key, /chat/ask returns 503 `assistant_not_configured`.
GEMINI_API_KEY = env.str("GEMINI_API_KEY", default="")
GEMINI_MODEL = env.str("GEMINI_MODEL", default="gemini-3.8-flash")
# Seconds to wait for Gemini before /chat/ask answers 504.
GEMINI_TIMEOUT_SECONDS = env.float("GEMINI_TIMEOUT_SECONDS", default=20.0)
# Empty means the SDK's own endpoint; tests point this at a fake server on 127.0.0.1.
GEMINI_BASE_URL = env.str("GEMINI_BASE_URL", default="")
# Per-user limit on /chat/ask, in DRF's rate format ("<count>/<second|minute|hour|day>").
ASSISTANT_ASK_RATE = env.str("ASSISTANT_ASK_RATE", default="10/minute")
ASSISTANT_QUESTION_MAX_CHARS = env.int("ASSISTANT_QUESTION_MAX_CHARS", default=2000)
# Characters of earlier turns sent with each question; older turns are left out.
ASSISTANT_HISTORY_MAX_CHARS = env.int("ASSISTANT_HISTORY_MAX_CHARS", default=6000)
# How many of the caller's tickets, and how many API operations, go into each prompt.
ASSISTANT_MAX_TICKETS = env.int("ASSISTANT_MAX_TICKETS", default=15)
ASSISTANT_MAX_OPERATIONS = env.int("ASSISTANT_MAX_OPERATIONS", default=6)

# ---------------------------------------------------------------------------
# Internationalization, static files, logging
# ---------------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "text"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}

# ---------------------------------------------------------------------------
# Google login (django-allauth) and login throttling
# ---------------------------------------------------------------------------
# allauth supplies the Google provider: the OAuth2 redirect, state and PKCE, the token
# exchange and ID token verification. accounts/adapters.py and accounts/social.py decide
# which local user a Google identity maps to and issue our own JWT pair. allauth's
# session login, templates and account URLs are not mounted.

INSTALLED_APPS += [
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
]
MIDDLEWARE += ["allauth.account.middleware.AccountMiddleware"]

ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_AUTO_SIGNUP = True
# Linking a Google identity to an existing account by email is decided in
# accounts/social.py, never by allauth's automatic email authentication.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_STORE_TOKENS = False
# allauth builds the OAuth2 redirect_uri from the request. Behind a TLS-terminating proxy
# the request looks like plain HTTP, so outside development the scheme is forced to https.
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
SOCIALACCOUNT_REQUESTS_TIMEOUT = env.int("GOOGLE_REQUESTS_TIMEOUT_SECONDS", default=5)

GOOGLE_CLIENT_ID = env.str("GOOGLE_CLIENT_ID", default="")
GOOGLE_CLIENT_SECRET = env.str("GOOGLE_CLIENT_SECRET", default="")
SOCIALACCOUNT_PROVIDERS = {
    "google": {
        "SCOPE": ["openid", "email", "profile"],
        "AUTH_PARAMS": {"prompt": "select_account"},
        "OAUTH_PKCE_ENABLED": True,
    },
}
if GOOGLE_CLIENT_ID:
    SOCIALACCOUNT_PROVIDERS["google"]["APP"] = {
        "client_id": GOOGLE_CLIENT_ID,
        "secret": GOOGLE_CLIENT_SECRET,
    }

# Front-end page that the browser flow redirects to after Google login, with the tokens
# in cookies. A `next` URL passed to /auth/google/login must have one of the allowed
# origins, and the origin of GOOGLE_LOGIN_REDIRECT_URL is always allowed.
GOOGLE_LOGIN_REDIRECT_URL = env.str("GOOGLE_LOGIN_REDIRECT_URL", default="")
GOOGLE_LOGIN_REDIRECT_ALLOWED_ORIGINS = env.list(
    "GOOGLE_LOGIN_REDIRECT_ALLOWED_ORIGINS", default=[]
)

# How many reverse proxies in front of the app append to X-Forwarded-For; the client IP
# is the entry that many places from the right. 0 ignores the header and uses
# REMOTE_ADDR. See accounts/client_ip.py and the README for Render.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Budgets of the login endpoints, in DRF's "<count>/<second|minute|hour|day>" form. The
# counters live in the default cache, so every worker shares one budget when it is Redis.
AUTH_THROTTLE_RATES = {
    "login_ip": env.str("THROTTLE_LOGIN_IP", default="30/minute"),
    "login_account": env.str("THROTTLE_LOGIN_ACCOUNT", default="10/hour"),
    "signup_ip": env.str("THROTTLE_SIGNUP_IP", default="10/hour"),
    "signup_account": env.str("THROTTLE_SIGNUP_ACCOUNT", default="5/hour"),
    "refresh_ip": env.str("THROTTLE_REFRESH_IP", default="60/minute"),
    "refresh_account": env.str("THROTTLE_REFRESH_ACCOUNT", default="30/minute"),
    "google_ip": env.str("THROTTLE_GOOGLE_IP", default="30/minute"),
    "google_account": env.str("THROTTLE_GOOGLE_ACCOUNT", default="20/hour"),
}

# ---------------------------------------------------------------------------
# Operations (ops app): request ids and logs, health checks, degraded cache
# ---------------------------------------------------------------------------

INSTALLED_APPS += ["ops"]
# First in the list, so that the request id and the latency cover every other middleware.
MIDDLEWARE.insert(0, "ops.middleware.RequestLogMiddleware")

if REDIS_URL:
    CACHES["default"]["OPTIONS"].update(
        {
            # A Redis outage turns cache reads into misses and drops writes, instead of
            # failing the request. The timeouts bound how long each cache call can stall.
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": env.float("REDIS_CONNECT_TIMEOUT_SECONDS", default=0.5),
            "SOCKET_TIMEOUT": env.float("REDIS_TIMEOUT_SECONDS", default=0.5),
        }
    )
    # django-redis logs each ignored error to this logger, and the `cache_degraded` filter
    # below reduces that to one warning per interval.
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "ops.cache"

LOGGING["filters"] = {
    "request_id": {"()": "ops.logging.RequestIdFilter"},
    "cache_degraded": {
        "()": "ops.logging.CacheDegradedFilter",
        "interval_seconds": env.float("CACHE_DEGRADED_LOG_INTERVAL_SECONDS", default=60.0),
    },
}
LOGGING["handlers"]["console"]["filters"] = ["request_id"]
LOGGING["formatters"]["text"]["format"] = (
    "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
)
LOGGING["loggers"] = {"ops.cache": {"filters": ["cache_degraded"]}}

SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "CheckResultEnum": "ops.health.CHECK_RESULT_CHOICES",
        "HealthStatusEnum": "ops.health.HEALTH_STATUS_CHOICES",
    }
)

# ---------------------------------------------------------------------------
# Request transactions
# ---------------------------------------------------------------------------

# Last, so that the transaction of a write request covers the view only (see DATABASES).
MIDDLEWARE += ["config.transactions.WriteTransactionMiddleware"]
