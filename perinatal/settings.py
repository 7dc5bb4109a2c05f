"""Perinatal settings: one module, read from environment variables.

The defaults run a fresh clone as a demo clinic on SQLite under ``var/``. Production is switched
on with ``PERINATAL_PRODUCTION=1``; the project's system checks (``perinatal/checks.py``) then
refuse to start with a default secret key, DEBUG on, or no Content-Security-Policy.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from perinatal.lib.env import env_bool, env_int, env_list, env_str, read_or_create_secret

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PERINATAL_VAR_DIR", str(BASE_DIR / "var")))

PRODUCTION = env_bool("PERINATAL_PRODUCTION", False)
DEBUG = env_bool("DJANGO_DEBUG", False)

# In production the key must come from the environment; the checks refuse this marker.
INSECURE_SECRET_KEY_MARKER = "perinatal-insecure-unset-secret-key"  # noqa: S105 (a marker)
SECRET_KEY = env_str("DJANGO_SECRET_KEY") or (
    INSECURE_SECRET_KEY_MARKER if PRODUCTION else read_or_create_secret(VAR_DIR / "secret-key")
)
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Absolute address used in links sent by email (manage links, alerts to staff).
SITE_URL = env_str("PERINATAL_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "perinatal.accounts.apps.StaffAdminConfig",  # django.contrib.admin, on the staff rules
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "perinatal.accounts",
    "perinatal.audit",
    "perinatal.patients",
    "perinatal.clinic",
    "perinatal.learn",
    "perinatal.screening",
    "perinatal.notify",
    "perinatal.booking",
    "perinatal.consult",
    "perinatal.consents",
    "perinatal.obcare",
    "perinatal.plans",
    "perinatal.pathway",
    "perinatal.infusion",
    "perinatal.followup",
    "perinatal.outcomes",
    "perinatal.backoffice",
    "perinatal.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads a form: control characters get a 400 that says why, never a 500.
    "perinatal.lib.text.ControlCharacterGuard",
    "perinatal.lib.api_guard.api_guard",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "perinatal.audit.log.AuditContext",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute limits on staff sessions; after messages, to say why someone was signed out.
    "perinatal.accounts.sessions.StaffSessionLimits",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "perinatal.lib.middleware.security_headers",
    # Last, as django-axes asks: it turns a lockout raised during sign-in into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "perinatal.urls"
WSGI_APPLICATION = "perinatal.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out person is refused before their password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "perinatal.accounts.backends.StaffBackend",
]
LOGIN_URL = "accounts:sign_in"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "perinatal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "perinatal.clinic.context_processors.clinic",
                "perinatal.screening.context_processors.self_screen",
                "perinatal.lib.i18n.language_links",
                "perinatal.accounts.context_processors.staff",
            ],
            # The back office's date styles (day, day_time, appointment_time, time_of_day), phone.
            "builtins": ["perinatal.lib.datestyles", "perinatal.lib.phones"],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
# SQLite is the embedded default: WAL so readers never wait for the writer, and IMMEDIATE
# transactions so two writers queue for the lock instead of failing half-way with
# "database is locked" (SQLite ignores select_for_update, so serialised writes are our lock).
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
}
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'perinatal.sqlite3'}")
# Connections are kept for a minute and checked before reuse: opening one per request cost
# PostgreSQL deployments most of their throughput in bench/.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = SQLITE_OPTIONS
    # A file, not memory, so that worker and server processes started by tests see it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-perinatal.sqlite3")}
else:
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env_str("DATABASE_TEST_NAME") or None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits) ------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
# Production without REDIS_URL is refused unless exactly one web process serves (this says so).
PERINATAL_ONE_PROCESS = env_bool("PERINATAL_ONE_PROCESS", False)
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background tasks ---------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A job still RUNNING this long after it started is taken as killed and put back in the queue.
PERINATAL_TASK_LEASE_SECONDS = env_int("PERINATAL_TASK_LEASE_SECONDS", 300)
# How often the worker looks for stalled jobs and due messages.
PERINATAL_WORKER_SWEEP_SECONDS = env_int("PERINATAL_WORKER_SWEEP_SECONDS", 30)

# --- Email and the outbox -----------------------------------------------------------------------
_email_host = env_str("EMAIL_HOST")
if _email_host:
    _email_port = env_int("EMAIL_PORT", 587)
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email_host,
                "port": _email_port,
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", _email_port == 587),
                "use_ssl": env_bool("EMAIL_USE_SSL", False),
                "timeout": env_int("EMAIL_TIMEOUT", 20),
            },
        }
    }
else:
    # The demo clinic writes mail to files under var/ instead of sending it.
    MAILERS = {
        "default": {
            "BACKEND": "perinatal.notify.mailfiles.PrivateFileBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "sent-mail")},
        }
    }
# Text messages (perinatal.notify.texts): the file backend writes each to var/texts.
PERINATAL_TEXT_BACKEND = env_str("PERINATAL_TEXT_BACKEND", "perinatal.notify.texts.FileBackend")
PERINATAL_TEXT_DIR = Path(env_str("PERINATAL_TEXT_DIR", str(VAR_DIR / "texts")))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Perinatal demo clinic <clinic@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The right-hand side of every Message-ID, so a repeat of the same message can be recognised.
PERINATAL_MESSAGE_ID_DOMAIN = env_str("PERINATAL_MESSAGE_ID_DOMAIN", "perinatal.local")
PERINATAL_OUTBOX_MAX_ATTEMPTS = env_int("PERINATAL_OUTBOX_MAX_ATTEMPTS", 8)
# A message being sent is leased to one worker for this long; after that another may retry it.
PERINATAL_OUTBOX_LEASE_SECONDS = env_int("PERINATAL_OUTBOX_LEASE_SECONDS", 120)

# --- Self-screen --------------------------------------------------------------------------------
# Which instrument the public self-screen uses ("epds", "phq9", "gad7"), or "off".
# The EPDS copyright holder asks that online republication be cleared with it: a deployment
# without that clearance sets this to "phq9".
PERINATAL_PUBLIC_INSTRUMENT = env_str("PERINATAL_PUBLIC_INSTRUMENT", "epds")
# Extra folders of instrument files (licensed translations, clinic-approved bands).
PERINATAL_INSTRUMENT_DIRS = env_list("PERINATAL_INSTRUMENT_DIRS")
PERINATAL_RATE_LIMITS = {
    "screening": env_str("PERINATAL_RATE_SCREENING", "30/h"),
    "callback": env_str("PERINATAL_RATE_CALLBACK", "10/h"),
    "booking": env_str("PERINATAL_RATE_BOOKING", "20/h"),
    "manage": env_str("PERINATAL_RATE_MANAGE", "60/h"),
    "ob_letter": env_str("PERINATAL_RATE_OB_LETTER", "60/h"),
    # Staff sign-in, per address whatever the username (see "Staff sign-in" below).
    "sign_in": env_str("PERINATAL_RATE_SIGN_IN", "20/m"),
}
# How long the private link in a care-plan letter's email opens it (staff can send a new one).
PERINATAL_OB_LINK_DAYS = env_int("PERINATAL_OB_LINK_DAYS", 30)
# A patient's link to her appointment works until this long after the appointment ends.
PERINATAL_MANAGE_LINK_GRACE_HOURS = env_int("PERINATAL_MANAGE_LINK_GRACE_HOURS", 24)
# How long after a self-screen its answers may still be attached to a booking, from the browser
# session or API client that made it.
PERINATAL_SCREENING_ATTACH_MINUTES = env_int("PERINATAL_SCREENING_ATTACH_MINUTES", 240)
# Once the OB has answered, the link shows the answer for this long, then closes.
PERINATAL_OB_LINK_AFTER_ANSWER_HOURS = env_int("PERINATAL_OB_LINK_AFTER_ANSWER_HOURS", 24)
# Consent forms: how long an emailed link and a tablet session stay open, and when an unsigned
# form joins the work queue.
PERINATAL_CONSENT_LINK_DAYS = env_int("PERINATAL_CONSENT_LINK_DAYS", 7)
PERINATAL_CONSENT_TABLET_MINUTES = env_int("PERINATAL_CONSENT_TABLET_MINUTES", 60)
PERINATAL_CONSENT_REMIND_HOURS = env_int("PERINATAL_CONSENT_REMIND_HOURS", 48)

# --- Booking ------------------------------------------------------------------------------------
# Reminder emails, in hours before the appointment; each is checked again just before it goes.
# Without REDIS_URL each process caches the booking schedule and the lists of free times; a
# change made in another process shows after at most this long (the database still refuses
# any overlap meanwhile).
PERINATAL_SCHEDULE_CACHE_SECONDS = env_int("PERINATAL_SCHEDULE_CACHE_SECONDS", 60)
PERINATAL_REMINDER_HOURS = [int(h) for h in env_list("PERINATAL_REMINDER_HOURS", ["24", "2"])]
# How many reverse proxies in front of the app append to X-Forwarded-For (0: use REMOTE_ADDR).
PERINATAL_TRUSTED_PROXIES = env_int("PERINATAL_TRUSTED_PROXIES", 0)
PERINATAL_DEFAULT_PHONE_REGION = env_str("PERINATAL_DEFAULT_PHONE_REGION", "US")

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "perinatal" / "locale"]
TIME_ZONE = env_str("PERINATAL_TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# The project's own stylesheet and scripts live in perinatal/static, which is not an app directory.
STATICFILES_DIRS = [BASE_DIR / "perinatal" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Production serves collected, compressed, cache-busted files; the demo serves them in place.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
WHITENOISE_AUTOREFRESH = DEBUG

# --- Security -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("PERINATAL_SESSION_SECONDS", 60 * 60)
# A session is written when it changes, not on every request: its expiry then counts from the
# last change (a screen taken, a booking made, a staff session's activity noted every 30 s).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Staff sign-in ------------------------------------------------------------------------------
# Password, then a code from an authenticator app (or a one-time recovery code), on every staff
# path: /staff/, the staff API and the admin (perinatal/accounts/signin.py).
#
# Wrong passwords and wrong codes both count. Five from one address lock out that username from
# that address only, for the cool-off, counted from the failure that locked it: a stranger
# elsewhere can neither lock a clinician out of her shift nor keep her out for good.
AXES_FAILURE_LIMIT = env_int("PERINATAL_SIGN_IN_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("PERINATAL_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "perinatal.lib.ratelimit.client_address"
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_CALLABLE = "perinatal.accounts.lockout.locked_out_response"
# Axes keeps the posted form of each failure; never the password, the code or the CSRF token.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code", "csrfmiddlewaretoken"]
#
# Lockout alone never slows down someone who tries a new username each time, and every try costs
# a password hash (PBKDF2, about 0.3 s of a core, spent even for a username that does not exist,
# so that the answer's timing says nothing). Two cheaper guards run before it:
# - PERINATAL_RATE_SIGN_IN (PERINATAL_RATE_LIMITS["sign_in"]): password tries per address per
#   minute, whatever the username; a whole clinic behind one address rarely needs 20;
# - PERINATAL_SIGN_IN_CONCURRENCY: password checks running at once in one server process; one
#   more is refused at once (429, "try again in a few seconds") instead of taking a thread, so a
#   flood from many addresses still leaves the other threads and cores to everyone else.
# The hasher keeps Django's default iterations: making each hash cheaper would make a stolen
# database cheaper to crack, while these guards bound the cost of a flood.
PERINATAL_SIGN_IN_CONCURRENCY = env_int("PERINATAL_SIGN_IN_CONCURRENCY", 1)
# Lockouts are lifted from the staff list in the admin, not from axes' own tables.
AXES_ENABLE_ADMIN = False
# django-otp doubles the wait after each wrong code on a device (1 s, 2 s, 4 s, ...).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_TOTP_ISSUER = env_str("PERINATAL_TOTP_ISSUER", "Perinatal")
# Between the password and the code: after this long the password must be typed again.
PERINATAL_STAFF_CODE_MINUTES = env_int("PERINATAL_STAFF_CODE_MINUTES", 5)
# Staff are signed out after this long without a request, and after this long in any case.
PERINATAL_STAFF_IDLE_MINUTES = env_int("PERINATAL_STAFF_IDLE_MINUTES", 15)
PERINATAL_STAFF_SESSION_HOURS = env_int("PERINATAL_STAFF_SESSION_HOURS", 12)

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"no_tokens": {"()": "perinatal.lib.redact.TokenFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_tokens"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("PERINATAL_LOG_LEVEL", "INFO")},
    "loggers": {
        # Request lines carry only paths without PHI (manage-link tokens are redacted by the
        # handler's filter); bodies are never logged.
        # Django's own default handlers would print without the filter; route through ours.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"level": "WARNING"},
        "django.db.backends": {"level": "WARNING"},
    },
}
