"""Settings shared by every environment. Anything that differs between machines is read from
the environment, with defaults that suit the embedded mode (SQLite, files under var/)."""

import os
import sys
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("CMS_VAR_DIR", BASE_DIR / "var"))


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "embedded-mode-only-not-a-secret")
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")

# Where the CMS is reached (API URLs are absolute against it) and where the public portal lives.
CMS_BASE_URL = os.environ.get("CMS_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8001").rstrip("/")

INSTALLED_APPS = [
    "cms.core",
    "cms.policies",
    "cms.notices",
    "cms.objections",
    "cms.consultation",
    "cms.lessons",
    "cms.guidance",
    "cms.record",
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
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
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
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "cms_cache",
        # Rate-limit histories live here for a day. Django's default of 300 entries would cull
        # them (and so reset clients' allowances) as soon as a few hundred clients had posted.
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CACHE_MAX_ENTRIES", "100000"))},
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
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
    "EXCEPTION_HANDLER": "cms.objections.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        # Per client address, whatever e-mail or name a flood puts in the form.
        "objection_burst": os.environ.get("OBJECTION_RATE_BURST", "5/min"),
        "objection_sustained": os.environ.get("OBJECTION_RATE_SUSTAINED", "30/day"),
        "objection_lookup": os.environ.get("OBJECTION_RATE_LOOKUP", "30/hour"),
        # Comments on a draft policy: the same limits, in their own scopes.
        "comment_burst": os.environ.get("COMMENT_RATE_BURST", "5/min"),
        "comment_sustained": os.environ.get("COMMENT_RATE_SUSTAINED", "30/day"),
        "comment_lookup": os.environ.get("COMMENT_RATE_LOOKUP", "30/hour"),
    },
}
# Behind a proxy, the number of proxies whose X-Forwarded-For entries are trusted.
NUM_PROXIES = int(os.environ["NUM_PROXIES"]) if os.environ.get("NUM_PROXIES") else None
REST_FRAMEWORK["NUM_PROXIES"] = NUM_PROXIES
SPECTACULAR_SETTINGS = {
    "TITLE": "科技创新容错免责公示平台 API",
    "DESCRIPTION": "公示期内对认定事项提出异议、查询处理结果；征求意见期内对政策文件征求意见稿"
    "提出意见、查询答复。Objections to decision items under publicity, comments on draft "
    "policies, and the lookup of their outcome.",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["cms.objections.schema.only_public_api"],
    # Objections and comments share field names whose choices differ: name each set once.
    "ENUM_NAME_OVERRIDES": {
        "ObjectorTypeEnum": "cms.objections.rules.ObjectorType.choices",
        "ObjectionStatusEnum": "cms.objections.rules.ObjectionStatus.choices",
        "ObjectionOutcomeEnum": "cms.objections.rules.Outcome.choices",
        "CommentStatusEnum": "cms.consultation.rules.CommentStatus.choices",
        "CommentOutcomeEnum": "cms.consultation.rules.CommentOutcome.choices",
    },
}

# Objections: the portal may live on another origin; only it may call the API from a browser.
CORS_ALLOWED_ORIGINS = [PORTAL_BASE_URL]
CORS_URLS_REGEX = r"^/api/(objections|policy-comments)/.*$"
CORS_ALLOW_HEADERS = ["accept", "content-type", "idempotency-key"]
OBJECTION_MAX_FILES = int(os.environ.get("OBJECTION_MAX_FILES", "5"))
OBJECTION_MAX_FILE_BYTES = int(os.environ.get("OBJECTION_MAX_FILE_BYTES", str(10 * 1024 * 1024)))
OBJECTION_MAX_CONTENT_CHARS = 5000
OBJECTION_EVIDENCE_ROOT = Path(os.environ.get("OBJECTION_EVIDENCE_ROOT", VAR_DIR / "private"))
# Personal data of answered objections is blanked this many days after the answer.
OBJECTION_RETENTION_DAYS = int(os.environ.get("OBJECTION_RETENTION_DAYS", "365"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@example.invalid")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # Per-task and per-page chatter; warnings and errors still come through.
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}
