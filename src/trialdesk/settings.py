"""The one settings module: every knob comes from the environment, with safe defaults."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("DEBUG", False)
# The fallback key is only for development and tests; production sets SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY", "trialdesk-insecure-development-key-change-me")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

DATA_DIR = Path(os.environ.get("TRIALDESK_DATA_DIR", Path.cwd() / "var")).resolve()

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    # Serves the API docs from ninja's bundled Swagger UI files instead of a CDN.
    "ninja",
    "trialdesk.core",
    "trialdesk.studies",
    "trialdesk.sites",
    "trialdesk.statistics",
    "trialdesk.subjects",
    "trialdesk.randomization",
    "trialdesk.visits",
    "trialdesk.safety",
    "trialdesk.regulatory",
    "trialdesk.documents",
    "trialdesk.people",
    "trialdesk.integrations",
    "trialdesk.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "trialdesk.core.middleware.IdleSessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "trialdesk.urls"
WSGI_APPLICATION = "trialdesk.wsgi.application"

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
                "trialdesk.core.context_processors.navigation",
            ],
        },
    },
]


def database_settings() -> dict:
    url = os.environ.get("DATABASE_URL")
    if url:
        return dj_database_url.parse(url, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")))
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "trialdesk.sqlite3",
        "OPTIONS": {
            # WAL lets readers carry on while one writer commits; IMMEDIATE takes the write lock
            # at BEGIN so the audit chain head cannot be read stale by two writers at once.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
        "TEST": {"NAME": os.environ.get("TRIALDESK_TEST_DB") or None},
    }


DATABASES = {"default": database_settings()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portfolio"
LOGOUT_REDIRECT_URL = "login"

# Account lockout: this many failed attempts locks the account for LOCKOUT_MINUTES.
LOGIN_MAX_FAILED_ATTEMPTS = int(os.environ.get("TRIALDESK_LOGIN_MAX_FAILED_ATTEMPTS", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("TRIALDESK_LOGIN_LOCKOUT_MINUTES", "15"))
# Idle session timeout (Part 11 expects sessions to end when left unattended).
SESSION_IDLE_TIMEOUT_MINUTES = int(os.environ.get("TRIALDESK_SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_flag("TRIALDESK_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# The project-wide static folder (htmx, the stylesheet); apps' own static/ folders are found as well.
STATICFILES_DIRS = [BASE_DIR / "static"]

PAGE_SIZE = int(os.environ.get("TRIALDESK_PAGE_SIZE", "50"))
# Largest essential-document upload, and largest spreadsheet for a bulk import, in bytes.
DOCUMENT_MAX_BYTES = int(os.environ.get("TRIALDESK_DOCUMENT_MAX_BYTES", str(50 * 1024 * 1024)))
IMPORT_MAX_BYTES = int(os.environ.get("TRIALDESK_IMPORT_MAX_BYTES", str(10 * 1024 * 1024)))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A 403 or 404 (any 4xx) is one line, method, path and status; a 5xx keeps its traceback.
    "filters": {"client_errors_on_one_line": {"()": "trialdesk.core.request_log.ClientErrorsOnOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        # Django's own console handler (with DEBUG) would print every record a second time through root's.
        "django": {"handlers": []},
        "django.request": {"filters": ["client_errors_on_one_line"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
