"""The one settings module: every knob comes from the environment, with safe defaults."""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("DEBUG", False)
# A key everyone can read would let anyone forge a session: without SECRET_KEY only DEBUG (development,
# `make run`) starts, with a fixed key; production refuses to start.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random value, e.g. the output of "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(50))', or set DEBUG=1 for development."
        )
    SECRET_KEY = "trialdesk-insecure-development-key-change-me"
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

DATA_DIR = Path(os.environ.get("TRIALDESK_DATA_DIR", Path.cwd() / "var")).resolve()

INSTALLED_APPS = [
    # Ahead of django.contrib.auth so that its `createsuperuser` and `changepassword` (which refuse, naming
    # the audited `trialdesk user` commands) take the place of Django's.
    "trialdesk.core",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    # Serves the API docs from ninja's bundled Swagger UI files instead of a CDN.
    "ninja",
    # Counts failed sign-ins per client (IP address) beside core's per-account lockout.
    "axes",
    # Background work (core.tasks): the DEP 14 task API and its queue in our own database.
    "django_tasks",
    "django_tasks_db",
    "trialdesk.studies",
    "trialdesk.notifications",
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
    "trialdesk.finance",
    "trialdesk.monitoring",
    "trialdesk.recruitment",
    "trialdesk.incidents",
    "trialdesk.supply",
    "trialdesk.samples",
    "trialdesk.feasibility",
    "trialdesk.startup",
    "trialdesk.privacy",
    "trialdesk.reporting",
    "trialdesk.demo",
]

# Static files are served by the application through whitenoise (right after the security middleware,
# before sessions: a stylesheet needs no session). TRIALDESK_SERVE_STATIC=0 leaves them to a web server
# or CDN in front of Trialdesk.
SERVE_STATIC = env_flag("TRIALDESK_SERVE_STATIC", True)
MIDDLEWARE = [
    # First: every request gets its id (X-Request-ID), which each log line and the answer carry.
    "trialdesk.core.request_log.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    *(["trialdesk.core.static.StaticFilesMiddleware"] if SERVE_STATIC else []),
    "trialdesk.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's language (Accept-Language, or the sign-in page's picker cookie); after sessions, as
    # Django asks. A signed-in person's own choice beats it (PersonLanguageMiddleware, after auth).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "trialdesk.core.middleware.PersonLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "trialdesk.core.middleware.IdleSessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a client's sign-in lockout into the sign-in page's 429 answer.
    "axes.middleware.AxesMiddleware",
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
        # DB_POOL_MAX > 0 on PostgreSQL: Django's connection pool (psycopg_pool), at most that many
        # connections per server process, and then CONN_MAX_AGE must be 0 (the pool keeps them open).
        # Without it each process keeps one persistent connection for DB_CONN_MAX_AGE seconds.
        pool_max = int(os.environ.get("DB_POOL_MAX", "0"))
        pooled = pool_max > 0 and url.split(":", 1)[0] in ("postgres", "postgresql", "pgsql")
        conn_max_age = 0 if pooled else int(os.environ.get("DB_CONN_MAX_AGE", "60"))
        config = dj_database_url.parse(url, conn_max_age=conn_max_age)
        if pooled:
            config.setdefault("OPTIONS", {})["pool"] = {
                "min_size": min(pool_max, int(os.environ.get("DB_POOL_MIN", "1"))),
                "max_size": pool_max,
                # Seconds a request waits for a free connection before it fails.
                "timeout": float(os.environ.get("DB_POOL_TIMEOUT", "10")),
            }
        return config
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
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First: refuses a client with too many recent failed sign-ins before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # my work, or the portfolio (notifications.views.home)
LOGOUT_REDIRECT_URL = "login"

# Account lockout: this many failed attempts locks the account for LOCKOUT_MINUTES.
LOGIN_MAX_FAILED_ATTEMPTS = int(os.environ.get("TRIALDESK_LOGIN_MAX_FAILED_ATTEMPTS", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("TRIALDESK_LOGIN_LOCKOUT_MINUTES", "15"))
# Idle session timeout (Part 11 expects sessions to end when left unattended).
SESSION_IDLE_TIMEOUT_MINUTES = int(os.environ.get("TRIALDESK_SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Failed sign-ins per client (django-axes, by IP address, whatever the username): this many within
# TRIALDESK_SIGN_IN_CLIENT_LOCKOUT_MINUTES of each other refuse that client for those minutes. Clients
# behind one NAT share an address, hence a limit well above the per-account one.
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_FAILURE_LIMIT = int(os.environ.get("TRIALDESK_SIGN_IN_CLIENT_MAX_FAILURES", "20"))
AXES_COOLOFF_TIME = dt.timedelta(
    minutes=int(os.environ.get("TRIALDESK_SIGN_IN_CLIENT_LOCKOUT_MINUTES", "15"))
)
AXES_RESET_ON_SUCCESS = False  # one good password from a shared address must not wipe a guesser's count
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are not logged by axes (no table growing forever)
AXES_USERNAME_FORM_FIELD = "username"
AXES_CLIENT_IP_CALLABLE = "trialdesk.core.services.sign_in.client_ip"
AXES_LOCKOUT_CALLABLE = "trialdesk.core.views.client_locked_out"
AXES_VERBOSE = False
# The client's address is REMOTE_ADDR unless a reverse proxy in front of Trialdesk sets a header with it
# (e.g. X-Forwarded-For; its last address is the one that proxy saw). Set it only behind such a proxy:
# otherwise any client could claim any address.
CLIENT_IP_HEADER = os.environ.get("TRIALDESK_CLIENT_IP_HEADER", "").strip()

# HTTPS, on unless DEBUG: http redirected to https, HSTS, cookies sent only over HTTPS. Behind a proxy
# that terminates TLS, TRIALDESK_PROXY_SSL_HEADER names the header it sets to "https" (X-Forwarded-Proto).
HTTPS = env_flag("TRIALDESK_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = env_flag("TRIALDESK_HTTPS_REDIRECT", HTTPS)
# A load balancer or orchestrator probes these over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("TRIALDESK_HSTS_SECONDS", str(365 * 24 * 3600) if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("TRIALDESK_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_flag("TRIALDESK_HSTS_PRELOAD", False)
if os.environ.get("TRIALDESK_PROXY_SSL_HEADER", "").strip():
    _proxy_header = os.environ["TRIALDESK_PROXY_SSL_HEADER"].strip().upper().replace("-", "_")
    SECURE_PROXY_SSL_HEADER = (f"HTTP_{_proxy_header}", "https")
SESSION_COOKIE_SECURE = env_flag("TRIALDESK_SECURE_COOKIES", HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Asking browsers to preload HSTS is a promise for the whole domain, made on purpose with
# TRIALDESK_HSTS_PRELOAD=1; not having made it is not a deployment fault.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Every page: only this site's own scripts, styles, images and fonts (htmx and the stylesheet are static
# files), no inline script or style, no plugins, not framed, forms posted only here.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

# The site-facing pages in the site staff's languages (issue 20 §6); the catalogues are committed,
# compiled (src/trialdesk/locale/<lang>/LC_MESSAGES/django.mo), so no gettext is needed at run time.
# English is en-gb (its dates and numbers as before); a browser asking for en-us gets it too.
LANGUAGE_CODE = "en-gb"
LANGUAGES = [
    ("en-gb", "English"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("fr", "Français"),
    ("ja", "日本語"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English short dates stay ISO (2026-03-01); other languages take Django's (01.03.2026, 2026/03/01).
FORMAT_MODULE_PATH = ["trialdesk.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# The project-wide static folder (htmx, the stylesheet); apps' own static/ folders are found as well.
STATICFILES_DIRS = [BASE_DIR / "static"]
# `trialdesk serve` collects the static files into STATIC_ROOT with hashed, compressed names (cached for
# a year by browsers, each name changing with its content) and sets TRIALDESK_HASHED_STATIC for its
# workers; development, `trialdesk runserver` and the tests serve the files as they are, from the apps.
HASHED_STATIC = env_flag("TRIALDESK_HASHED_STATIC", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if HASHED_STATIC
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not HASHED_STATIC
WHITENOISE_AUTOREFRESH = DEBUG

# Background work (core.tasks, README "Background work"): queued in the database, run by `trialdesk
# worker`. TRIALDESK_TASK_BACKEND=immediate runs each task at once in the process that asks: the default
# with DEBUG (`make run` needs no worker) and in the tests.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if os.environ.get("TRIALDESK_TASK_BACKEND", "immediate" if DEBUG else "database") == "immediate"
        else "django_tasks_db.DatabaseBackend"
    }
}
# A claimed task whose worker shows no sign of life (a progress write) for this long is taken back and
# retried, at most TRIALDESK_TASK_MAX_ATTEMPTS times in all, then marked failed with the reason.
TASK_LEASE_SECONDS = int(os.environ.get("TRIALDESK_TASK_LEASE_SECONDS", "900"))
TASK_MAX_ATTEMPTS = int(os.environ.get("TRIALDESK_TASK_MAX_ATTEMPTS", "3"))
# Finished tasks (their progress, errors and files, e.g. a prepared PDF) are kept this many days.
TASK_KEEP_DAYS = int(os.environ.get("TRIALDESK_TASK_KEEP_DAYS", "14"))

PAGE_SIZE = int(os.environ.get("TRIALDESK_PAGE_SIZE", "50"))
# Largest essential-document upload, and largest spreadsheet for a bulk import, in bytes.
DOCUMENT_MAX_BYTES = int(os.environ.get("TRIALDESK_DOCUMENT_MAX_BYTES", str(50 * 1024 * 1024)))
IMPORT_MAX_BYTES = int(os.environ.get("TRIALDESK_IMPORT_MAX_BYTES", str(10 * 1024 * 1024)))
# E-mail (notifications and daily digests) through Django's e-mail framework. With EMAIL_HOST set, mail
# goes to that SMTP server; without it (`make run`, development) each message is printed on the console.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip()
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS", False)  # STARTTLS, usually on port 587
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587" if EMAIL_USE_TLS else "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Trialdesk <trialdesk@localhost>")
# The address people open Trialdesk at: links in e-mails start with it.
SITE_URL = os.environ.get("TRIALDESK_SITE_URL", "http://localhost:8000").rstrip("/")

# Keys that sign the audit trail, "id:base64,..." newest first (core.audit.keys). Unset: a key file is
# generated in DATA_DIR for development; production sets it, and keeps it out of the database's backups.
AUDIT_KEYS = os.environ.get("TRIALDESK_AUDIT_KEYS", "")

# Log lines as JSON objects (time, level, logger, message, request_id, and the traceback of a 5xx), one
# per line for a log collector; TRIALDESK_LOG_FORMAT=text gives plain lines (the default with DEBUG).
LOG_FORMAT = os.environ.get("TRIALDESK_LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A 403 or 404 (any 4xx) is one line, method, path and status; a 5xx keeps its traceback.
    "filters": {
        "client_errors_on_one_line": {"()": "trialdesk.core.request_log.ClientErrorsOnOneLine"},
        "request_id": {"()": "trialdesk.core.request_log.WithRequestId"},
    },
    "formatters": {
        "json": {"()": "trialdesk.core.request_log.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
            "filters": ["request_id"],
        }
    },
    "loggers": {
        # Django's own console handler (with DEBUG) would print every record a second time through root's.
        "django": {"handlers": []},
        "django.request": {"filters": ["client_errors_on_one_line"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
