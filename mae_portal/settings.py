"""Settings for the MAE Member Portal, read from the environment.

Development needs no variables at all (`make run`). With DEBUG off the portal refuses to start
without SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and MFA_ENCRYPTION_KEY.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)


def _required_in_production(name):
    value = env.str(name, default="")
    if not value and not DEBUG:
        raise ImproperlyConfigured(f"{name} must be set when DEBUG is off.")
    return value


SECRET_KEY = _required_in_production("SECRET_KEY") or "dev-only-insecure-key-do-not-use-in-production"
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
# The port `make run` serves on; links in emails, PDFs and QR codes follow it unless SITE_URL is set.
PORT = int(env.str("PORT", default="") or 8000)
SITE_URL = env.str("SITE_URL", default="").rstrip("/") or f"http://127.0.0.1:{PORT}"
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])
# How many reverse proxies in front of gunicorn append to X-Forwarded-For (the TLS proxy: 1). The client's
# address (rate limits, audit rows, signed authorizations) is that many entries from the header's right;
# 0 ignores the header, which is right only when clients reach gunicorn directly.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "mae_portal",
    "members",
    "esp",
    "advocacy",
    "mentoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's AuthenticationMiddleware, with the user, their groups and two-factor status from the cache.
    "mae_portal.signed_in.CachedUserAuthenticationMiddleware",
    # Before any view (process_view), after authentication and the CSRF check: NUL in any input is a 400.
    "mae_portal.input_guard.RefuseNulCharactersMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "mae_portal.middleware.AbsoluteSessionLifetimeMiddleware",
    # In place of allauth's UserSessionsMiddleware (which writes the user-session row on every request).
    "mae_portal.middleware.SessionActivityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "mae_portal.middleware.RequireMFAMiddleware",
    # A stored two-factor secret that no key opens any more: a page that says so, not a 500.
    "mae_portal.middleware.UnreadableMFASecretMiddleware",
    "mae_portal.middleware.NoStoreForPersonalPagesMiddleware",
]

ROOT_URLCONF = "mae_portal.urls"
# Django's widget templates, the common widgets built in Python with the same markup (mae_portal/form_renderer.py).
FORM_RENDERER = "mae_portal.form_renderer.PortalFormRenderer"
WSGI_APPLICATION = "mae_portal.wsgi.application"

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
                "mae_portal.context_processors.navigation",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db_url("DATABASE_URL")}
elif DEBUG:
    from mae_portal.devdb import embedded_database

    DATABASES = {"default": embedded_database(BASE_DIR / ".local" / "pgdata", "mae_portal")}
else:
    raise ImproperlyConfigured("DATABASE_URL must be set when DEBUG is off.")
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Server-side binding lets psycopg prepare a statement once the connection has run it twice: PostgreSQL then
# plans it once per connection rather than once per request (the dashboard's member query took 3 ms to plan and
# under 1 ms to run). Turn it off behind a pooler that cannot keep prepared statements (pgbouncer in transaction
# mode before 1.21).
# Its cursor writes a statement's parameters into its text past the protocol's 65,535 (mae_portal/db_cursor.py).
if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
    from mae_portal.db_cursor import PortalCursor

    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=2,
                                                          cursor_factory=PortalCursor)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "members.User"

# --- Cache, sessions --------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "mae_portal.cache.PortalRedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Idle lifetime: a signed-in session expires after this much inactivity. Activity renews it at most once
# per SESSION_TOUCH_SECONDS (SessionActivityMiddleware), so reading a page writes nothing.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=2 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_TOUCH_SECONDS = 60
# Absolute lifetime: a session older than this is ended whatever its activity.
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Authentication (django-allauth) ------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_ADAPTER = "mae_portal.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "MAE: "
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {}  # allauth's defaults stay on; this dict only adds or tightens.
MFA_ADAPTER = "mae_portal.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "MAE Member Portal"
# One or more secrets, comma-separated: the first encrypts, every one decrypts. To rotate, put the new key
# first, keep the old after it, run `manage.py rotate_mfa_key`, then drop the old one.
MFA_ENCRYPTION_KEY = _required_in_production("MFA_ENCRYPTION_KEY") or SECRET_KEY
MFA_FORMS = {
    "authenticate": "mae_portal.mfa_forms.PortalAuthenticateForm",
    "reauthenticate": "mae_portal.mfa_forms.PortalReauthenticateForm",
}
USERSESSIONS_TRACK_ACTIVITY = True

# --- Email ----------------------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="MAE Member Portal <portal@maetoday.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 20

# --- Celery -------------------------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# No broker: tasks run inline in the request's on_commit hook, so `make run` needs no Redis.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "America/Chicago"
# Redis hands an unacknowledged task to another worker this many seconds after it was taken, so a
# worker killed mid-task has its tasks back in minutes. It must exceed the longest task run (email
# sends are capped by EMAIL_SEND_TIME_LIMIT) and the longest countdown, or a task runs twice at once.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=5 * 60)
# Longest countdown a task may wait in Redis (short in-task email retries); longer waits go through the sweep.
CELERY_MAX_COUNTDOWN_SECONDS = env.int("CELERY_MAX_COUNTDOWN_SECONDS", default=60)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # Scan for abandoned tasks every 10 s (kombu's default is every 100 s: interval x throttle).
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": 1,
    # Publishing happens in web requests: a broker that is down must fail fast, not hang the page.
    # (kombu otherwise retries the connection every 2 s until broker_connection_timeout.)
    "socket_connect_timeout": 2,
    "socket_timeout": 10,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Emails and PDFs have their own queues and workers, so a slow mail server never holds up cards and
# receipts; everything else (nightly jobs, the outbox sweep) runs on the default queue "celery".
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "mae_portal.tasks.deliver_email": {"queue": "email"},
    "mae_portal.tasks.deliver_email_batch": {"queue": "email"},
    "mae_portal.tasks.build_document": {"queue": "documents"},
}
# The core's own periodic job. The apps' jobs are registered through mae_portal/registry.py and
# added to beat's schedule in mae_portal/celery.py, alongside these.
CELERY_BEAT_SCHEDULE = {
    # Re-enqueue what the broker lost (see mae_portal/outbox.py). A sweep that waited longer than its
    # period is dropped: the next one does the same work.
    "outbox-sweep": {"task": "mae_portal.tasks.sweep_outbox", "schedule": 60.0, "options": {"expires": 55}},
}
# An email is tried 1 + EMAIL_TASK_MAX_RETRIES times, waiting 30 s, 60 s, 2 min ... (at most an hour)
# between tries, then marked failed for good.
EMAIL_TASK_MAX_RETRIES = env.int("EMAIL_TASK_MAX_RETRIES", default=8)
EMAIL_RETRY_BASE_SECONDS = env.int("EMAIL_RETRY_BASE_SECONDS", default=30)
EMAIL_RETRY_MAX_SECONDS = 60 * 60
# Hard limit on one deliver_email run (the pool kills it after this); a SENDING claim older than
# EMAIL_SENDING_TIMEOUT_SECONDS therefore belongs to a dead worker and may be taken over.
EMAIL_SEND_TIME_LIMIT = env.int("EMAIL_SEND_TIME_LIMIT", default=120)
# Shorter than the visibility timeout, so a task Redis gives back finds its dead worker's claim stale.
EMAIL_SENDING_TIMEOUT_SECONDS = env.int("EMAIL_SENDING_TIMEOUT_SECONDS", default=4 * 60)
# The sweep re-enqueues a queued email whose task was handed to the broker this long ago and never ran.
OUTBOX_SWEEP_AFTER_MINUTES = env.int("OUTBOX_SWEEP_AFTER_MINUTES", default=5)
if not (
    EMAIL_SEND_TIME_LIMIT < EMAIL_SENDING_TIMEOUT_SECONDS
    and EMAIL_SEND_TIME_LIMIT < CELERY_VISIBILITY_TIMEOUT
    and CELERY_MAX_COUNTDOWN_SECONDS * 2 <= CELERY_VISIBILITY_TIMEOUT
):
    raise ImproperlyConfigured(
        "Need EMAIL_SEND_TIME_LIMIT < EMAIL_SENDING_TIMEOUT_SECONDS, EMAIL_SEND_TIME_LIMIT < CELERY_VISIBILITY_TIMEOUT "
        "and CELERY_MAX_COUNTDOWN_SECONDS <= CELERY_VISIBILITY_TIMEOUT / 2, or a task can run twice at once."
    )

# --- Files ----------------------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"  # never served directly: documents go through permission-checked views
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / ".local" / "media"))
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "mae_portal.static_files.StaticFilesStorage"  # whitenoise's, its addresses worked out once
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Uploads (mae_portal/uploads.py): the largest file accepted, and an optional virus scanner, a dotted path to a
# callable(data=bytes, name=str, content_type=str) that raises mae_portal.uploads.UploadRefused for a bad file.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
UPLOAD_SCANNER = env.str("UPLOAD_SCANNER", default="")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Internationalisation, time ----------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/Chicago"
USE_I18N = True
USE_TZ = True

# --- Security --------------------------------------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the container health check speaks plain HTTP
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies are bound to this exact host over HTTPS (ASVS 3.3.1).
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
CSRF_COOKIE_HTTPONLY = True

# --- Portal --------------------------------------------------------------------------------------------------------------
# Personas that must set up two-factor authentication before any page beyond their account opens.
MFA_REQUIRED_GROUPS = [
    "Membership staff",
    "UniServ directors",
    "Region managers",
    "Awards staff",
    "Award reviewers",
]
DEMO_PASSWORD = "mae-demo-2026"
# The name every email and allauth's account pages and emails carry.
PORTAL_NAME = "MAE Member Portal"

# Payments: the built-in sandbox in development and tests; Stripe in production.
PAYMENT_GATEWAY = env.str("PAYMENT_GATEWAY", default="sandbox" if DEBUG else "stripe")
if PAYMENT_GATEWAY not in ("sandbox", "stripe"):
    raise ImproperlyConfigured("PAYMENT_GATEWAY must be 'sandbox' or 'stripe'.")
if PAYMENT_GATEWAY == "sandbox" and not DEBUG and not env.bool("PAYMENT_SANDBOX_ALLOWED", default=False):
    raise ImproperlyConfigured("The sandbox gateway accepts test cards; set PAYMENT_GATEWAY=stripe in production.")
SANDBOX_WEBHOOK_SECRET = env.str("SANDBOX_WEBHOOK_SECRET", default="") or f"sandbox-{SECRET_KEY}"
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
if PAYMENT_GATEWAY == "stripe" and not (STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET):
    raise ImproperlyConfigured("STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET must be set for the Stripe gateway.")
# A draft sent to the gateway with no answer after this many hours is asked about again by the nightly run
# (members.services.nightly.drafts_reconcile_run), then shown to staff if the gateway does not know it.
DRAFT_PENDING_RECONCILE_HOURS = env.int("DRAFT_PENDING_RECONCILE_HOURS", default=24)
# The agreement members sign for bank drafts. Changing it: new text, new version.
DRAFT_AUTHORIZATION_VERSION = "2026-1"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # An ordinary 403 or 404 is one line, not a traceback (Django attaches the exception to the warning).
    "filters": {"client_errors_without_traceback": {"()": "mae_portal.logfilters.ClientErrorsWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain",
                             "filters": ["client_errors_without_traceback"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "mae_portal.security": {"level": "INFO"},
        "weasyprint": {"level": "WARNING"},
        # Inline (no broker): one line per task and kombu's "no hostname" are noise on `make run`'s console.
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
        "kombu.connection": {"level": "ERROR" if CELERY_TASK_ALWAYS_EAGER else "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
