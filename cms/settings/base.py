"""Settings shared by every environment. Anything that differs between machines is read from
the environment, with defaults that suit the embedded mode (SQLite, files under var/)."""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("CMS_VAR_DIR", BASE_DIR / "var"))


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def proxy_count(value: str) -> int | None:
    """NUM_PROXIES from the environment: None when empty (no proxy trusted), else a whole number
    of proxies, 0 or more; anything else stops the start."""
    value = value.strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()):
        raise ImproperlyConfigured(
            f"NUM_PROXIES must be a whole number of proxies (0 or more), not {value!r}."
        )
    return int(value)


# Public, in this file: production refuses it (cms.settings.production).
EMBEDDED_SECRET_KEY = "embedded-mode-only-not-a-secret"  # noqa: S105
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", EMBEDDED_SECRET_KEY)
# Rotating the key: the old one goes here (comma-separated), so that lookup codes, sessions and
# digests made under it still verify.
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS", "")
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")

# Where the CMS is reached (API URLs are absolute against it) and where the public portal lives.
CMS_BASE_URL = os.environ.get("CMS_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8001").rstrip("/")

INSTALLED_APPS = [
    "cms.core",
    "cms.policies",
    "cms.notices",
    "cms.submissions",
    "cms.objections",
    "cms.consultation",
    "cms.lessons",
    "cms.guidance",
    "cms.record",
    "cms.accounts",
    "cms.outbox",
    "cms.alerts",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.api.v3",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "corsheaders",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "cms.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'cms.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several local processes (CMS, task worker, scheduler) share the file: WAL, a busy
    # timeout and IMMEDIATE transactions keep writers from failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared by every CMS process (rate limits must hold across them): the database cache.
CACHES = {
    "default": {
        "BACKEND": "cms.core.cache.UpsertDatabaseCache",
        "LOCATION": "cms_cache",
        # The lookup rate limits' histories live here for up to an hour. Django's default of
        # 300 entries would cull them (and so reset clients' allowances) as soon as a few
        # hundred clients had looked up.
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CACHE_MAX_ENTRIES", "100000"))},
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- The admin's door (cms/accounts, README "登录与两步验证").
# django-axes checks every login first; ModelBackend then checks the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# 5 wrong passwords for one username from one address lock that pair out for 30 minutes. By the
# pair, not by username alone: a stranger cannot lock a colleague out by typing their name, and
# colleagues behind one office address do not lock each other out. Guessing from many addresses
# still meets 12-character passwords and, for the groups below, a second factor.
AXES_FAILURE_LIMIT = int(os.environ.get("ADMIN_LOGIN_FAILURE_LIMIT", "5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("ADMIN_LOCKOUT_MINUTES", "30")))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cms.accounts.views.locked_out"
# The address the public APIs' rate limits use; X-Forwarded-For only behind NUM_PROXIES.
AXES_CLIENT_IP_CALLABLE = "cms.accounts.client.client_address"
# Members of these groups confirm each login with a code from an authenticator app (TOTP).
SECOND_FACTOR_GROUPS = ["审定", "异议处理", "征求意见处理"]
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "容错免责公示平台")
# Wrong codes make the next try wait 1, 2, 4, 8 … seconds (django-otp's throttling; 0 is off).
OTP_TOTP_THROTTLE_FACTOR = 1
# A working day: a session ends 8 hours after the last request (each request renews it). Who
# logs in without 记住我 (remember me) gets a cookie that also ends when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 60 * 60)))
SESSION_SAVE_EVERY_REQUEST = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# The project's own catalogues come first: the admin strings Wagtail's and Django's zh_Hans
# leave in English (cms/locale, compiled .mo committed; `make messages` recompiles). They also
# reach the admin's JavaScript catalogue (Django adds LOCALE_PATHS to every JavaScriptCatalog).
LOCALE_PATHS = [BASE_DIR / "cms" / "locale"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", VAR_DIR / "media"))

WAGTAIL_SITE_NAME = _("科技创新容错免责公示平台")
WAGTAILADMIN_BASE_URL = CMS_BASE_URL
WAGTAILAPI_BASE_URL = CMS_BASE_URL
WAGTAILAPI_LIMIT_MAX = 100
WAGTAIL_I18N_ENABLED = False
# ASCII slugs: portal paths and links stay plain in every mail client and log.
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAILADMIN_PERMITTED_LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# Staff all work in Beijing time: no list of the world's time zones (in English) on the
# account page, and every time the admin shows is Asia/Shanghai.
WAGTAIL_USER_TIME_ZONES = ["Asia/Shanghai"]
# Wagtail's admin would otherwise send a hash of each user's e-mail to gravatar.com (and show a
# broken image where that is unreachable) and ask releases.wagtail.io for new versions from the
# editor's browser.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "ofd", "wps", "zip"]

# The publicity window's length in calendar days (the policy says 7), stored on each notice
# when it is created so that a later change never moves an existing window.
PUBLICITY_DAYS = int(os.environ.get("PUBLICITY_DAYS", "7"))

# Background work (portal rebuilds, Wagtail's index updates) goes through django-tasks.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# How the CMS rebuilds the portal; empty turns automatic rebuilds off.
PORTAL_BUILD_COMMAND = os.environ.get(
    "PORTAL_BUILD_COMMAND", f"python -m portal build --cms-url {CMS_BASE_URL}"
).split()
if PORTAL_BUILD_COMMAND[:1] == ["python"]:
    PORTAL_BUILD_COMMAND[0] = sys.executable

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "EXCEPTION_HANDLER": "cms.submissions.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        # Per client address, whatever e-mail or name a flood puts in the form.
        "objection_burst": os.environ.get("OBJECTION_RATE_BURST", "5/min"),
        # Shared by everyone behind one NAT address, hence generous; a flood aimed at one notice
        # meets the per-notice cap (per client and notice) first (docs/deploy.md).
        "objection_sustained": os.environ.get("OBJECTION_RATE_SUSTAINED", "200/day"),
        "objection_per_notice": os.environ.get("OBJECTION_RATE_PER_NOTICE", "10/day"),
        "objection_lookup": os.environ.get("OBJECTION_RATE_LOOKUP", "30/hour"),
        # Comments on a draft policy: the same limits, in their own scopes.
        "comment_burst": os.environ.get("COMMENT_RATE_BURST", "5/min"),
        "comment_sustained": os.environ.get("COMMENT_RATE_SUSTAINED", "30/day"),
        "comment_lookup": os.environ.get("COMMENT_RATE_LOOKUP", "30/hour"),
        # E-mail alerts: each subscription request may mail a confirmation; the links in the
        # mails (confirm, manage, one-click unsubscribe from mail providers' servers).
        "alert_burst": os.environ.get("ALERT_RATE_BURST", "5/min"),
        "alert_sustained": os.environ.get("ALERT_RATE_SUSTAINED", "50/day"),
        "alert_link": os.environ.get("ALERT_RATE_LINK", "60/min"),
    },
}
# Behind a proxy, the number of proxies whose X-Forwarded-For entries are trusted; unset, the
# client is REMOTE_ADDR (cms.submissions.throttles). Production requires it to be set.
NUM_PROXIES = proxy_count(os.environ.get("NUM_PROXIES", ""))
REST_FRAMEWORK["NUM_PROXIES"] = NUM_PROXIES
SPECTACULAR_SETTINGS = {
    "TITLE": "科技创新容错免责公示平台 API",
    "DESCRIPTION": "公示期内对认定事项提出异议、查询处理结果；征求意见期内对政策文件征求意见稿"
    "提出意见、查询答复；订阅电子邮件提醒。Objections to decision items under publicity, "
    "comments on draft policies, the lookup of their outcome, and e-mail alerts.",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["cms.submissions.schema.only_public_api"],
    # Objections and comments share field names whose choices differ: name each set once.
    "ENUM_NAME_OVERRIDES": {
        "ObjectorTypeEnum": "cms.submissions.rules.ObjectorType.choices",
        "ObjectionStatusEnum": "cms.objections.rules.ObjectionStatus.choices",
        "ObjectionOutcomeEnum": "cms.objections.rules.Outcome.choices",
        "CommentStatusEnum": "cms.consultation.rules.CommentStatus.choices",
        "CommentOutcomeEnum": "cms.consultation.rules.CommentOutcome.choices",
        "AlertTopicEnum": "cms.alerts.rules.Topic.choices",
        "AlertFrequencyEnum": "cms.alerts.rules.Frequency.choices",
    },
}

# Objections: the portal may live on another origin; only it may call the API from a browser.
CORS_ALLOWED_ORIGINS = [PORTAL_BASE_URL]
CORS_URLS_REGEX = r"^/api/(objections|policy-comments|alerts)/.*$"
CORS_ALLOW_HEADERS = ["accept", "content-type", "idempotency-key"]
OBJECTION_MAX_FILES = int(os.environ.get("OBJECTION_MAX_FILES", "5"))
OBJECTION_MAX_FILE_BYTES = int(os.environ.get("OBJECTION_MAX_FILE_BYTES", str(10 * 1024 * 1024)))
OBJECTION_MAX_CONTENT_CHARS = 5000
OBJECTION_EVIDENCE_ROOT = Path(os.environ.get("OBJECTION_EVIDENCE_ROOT", VAR_DIR / "private"))
# Evidence checks (cms/objections/evidence.py). An OFD is a zip: refused past this many entries,
# this many bytes uncompressed (all entries), or an entry inflating more than this many times.
OBJECTION_OFD_MAX_ENTRIES = int(os.environ.get("OBJECTION_OFD_MAX_ENTRIES", "1000"))
OBJECTION_OFD_MAX_UNCOMPRESSED_BYTES = int(
    os.environ.get("OBJECTION_OFD_MAX_UNCOMPRESSED_BYTES", str(50 * 1024 * 1024))
)
OBJECTION_OFD_MAX_RATIO = int(os.environ.get("OBJECTION_OFD_MAX_RATIO", "200"))
# A submission's PDFs not all checked (for scripts and launch actions) in this time are refused;
# keep it well under GUNICORN_TIMEOUT.
OBJECTION_PDF_CHECK_SECONDS = float(os.environ.get("OBJECTION_PDF_CHECK_SECONDS", "8"))
# sweep_objection_evidence removes staged files never committed and files no record points at
# once they are this old (an upload in flight is younger).
OBJECTION_EVIDENCE_SWEEP_AGE_SECONDS = int(
    os.environ.get("OBJECTION_EVIDENCE_SWEEP_AGE_SECONDS", "3600")
)
# Personal data of objections and comments is blanked this many days after the answer, or after
# submission for one never answered (an objection: once its notice is no longer under publicity).
OBJECTION_RETENTION_DAYS = int(os.environ.get("OBJECTION_RETENTION_DAYS", "365"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@example.invalid")
# Every mail goes through the outbox (cms/outbox): queued with the action that causes it, sent by
# the task worker through EMAIL_BACKEND, tried again after 1, 2, 4 … minutes (at most an hour
# apart) up to OUTBOX_MAX_ATTEMPTS times; a worker's claim on a mail lapses after
# OUTBOX_LEASE_SECONDS (well over EMAIL_TIMEOUT); mail sent or given up on is deleted after
# OUTBOX_RETENTION_DAYS.
OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "48"))
OUTBOX_LEASE_SECONDS = int(os.environ.get("OUTBOX_LEASE_SECONDS", "300"))
OUTBOX_RETENTION_DAYS = int(os.environ.get("OUTBOX_RETENTION_DAYS", "30"))
OUTBOX_BATCH_SIZE = int(os.environ.get("OUTBOX_BATCH_SIZE", "500"))
# E-mail alerts (cms/alerts): a confirmation link works this many days (unconfirmed subscriptions
# are then deleted); daily digests go out at this time of day, Asia/Shanghai; alert events are
# kept this many days.
ALERTS_CONFIRM_DAYS = int(os.environ.get("ALERTS_CONFIRM_DAYS", "3"))
ALERTS_DIGEST_TIME = os.environ.get("ALERTS_DIGEST_TIME", "08:00")
ALERTS_EVENT_RETENTION_DAYS = int(os.environ.get("ALERTS_EVENT_RETENTION_DAYS", "30"))
# Error reports (mails to ADMINS, the technical 500 page) show nothing a submitter sent: no POST
# value, file name or cookie, no variable or setting named like an identity or a secret.
DEFAULT_EXCEPTION_REPORTER = "cms.core.error_reports.PersonalDataExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "cms.core.error_reports.PersonalDataReporterFilter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # Per-task and per-page chatter; warnings and errors still come through.
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        # django-axes announces its configuration on every start of every command.
        "axes": {"level": "WARNING"},
        # With DEBUG on, SQL is logged at DEBUG with its parameters (personal data among them):
        # never, whatever DJANGO_LOG_LEVEL says.
        "django.db.backends": {"level": "INFO"},
    },
}
