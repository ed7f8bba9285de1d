"""Production: every secret and host from the environment; HTTPS only; PostgreSQL with
persistent connections; static files and media on S3-compatible object storage when a bucket
is configured; a content security policy; one JSON log line per event on stdout.

The environment variables are listed in docs/deploy.md. Passes
``manage.py check --deploy --fail-level WARNING`` with nothing but them set
(tests/test_production.py proves it)."""

import os
from email.utils import getaddresses
from urllib.parse import urlsplit

from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    CMS_BASE_URL,
    DATABASES,
    DEFAULT_FROM_EMAIL,
    EMBEDDED_SECRET_KEY,
    INSTALLED_APPS,
    MIDDLEWARE,
    env_list,
)


def required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"Environment variable {name} must be set in production.")
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"Environment variable {name} must be true or false, not {value!r}.")


# base.py read these with embedded-mode defaults; production has no defaults for them.
for _name in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL"):
    required(_name)
for _name in ("CMS_BASE_URL", "PORTAL_BASE_URL"):
    if urlsplit(required(_name)).scheme not in ("http", "https"):
        raise ImproperlyConfigured(f"{_name} must be an absolute http(s) URL.")

# The rate limits' idea of the client: no default, since a wrong count either lets clients pick
# their own address (too many) or puts everyone behind the proxy's one (too few).
if not os.environ.get("NUM_PROXIES", "").strip():
    raise ImproperlyConfigured(
        "Environment variable NUM_PROXIES must be set in production: the number of proxies in "
        "front of gunicorn that add X-Forwarded-For (1 behind nginx, 2 with a load balancer "
        "before nginx, 0 when clients reach gunicorn directly)."
    )

SECRET_KEY = required("DJANGO_SECRET_KEY")
if SECRET_KEY == EMBEDDED_SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is the embedded mode's public key; set a secret one in production."
    )
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be at least 50 characters in production: "
        'python3 -c "import secrets; print(secrets.token_urlsafe(64))"'
    )
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", CMS_BASE_URL)

# --- Database: DATABASE_URL (PostgreSQL), persistent connections checked before reuse.
# Each process keeps one connection per thread; at ~60 s reuse PostgreSQL served ~5x the
# requests it did reconnecting every time (docs/deploy.md). Query options in the URL
# (e.g. ?sslmode=require) reach psycopg unchanged.
DATABASES = {
    "default": {
        **DATABASES["default"],
        "CONN_MAX_AGE": int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        "CONN_HEALTH_CHECKS": True,
    }
}

# --- HTTPS, behind a proxy that terminates TLS and sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # Wagtail's preview views override it with SAMEORIGIN

# The health check first (see cms.core.middleware), then the CSP, which must see the
# X-Frame-Options header that XFrameOptionsMiddleware (further down) sets on the way out.
_after_security = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1
MIDDLEWARE = [
    "cms.core.middleware.HealthCheckMiddleware",
    *MIDDLEWARE[:_after_security],
    "cms.core.middleware.ContentSecurityPolicyMiddleware",
    *MIDDLEWARE[_after_security:],
]
# "ninja" serves the Wagtail API v3 docs' Swagger UI from our own static files instead of
# a CDN; "csp" is django-csp.
INSTALLED_APPS = [*INSTALLED_APPS, "ninja", "csp"]

# --- Static files and media: S3-compatible object storage when a bucket is given, the
# filesystem (STATIC_ROOT, MEDIA_ROOT, served by nginx) otherwise.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "").strip()
AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL", "").strip() or None
AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME", "").strip() or None
AWS_S3_CUSTOM_DOMAIN = os.environ.get("AWS_S3_CUSTOM_DOMAIN", "").strip() or None
AWS_S3_ADDRESSING_STYLE = os.environ.get("AWS_S3_ADDRESSING_STYLE", "").strip() or (
    "path" if AWS_S3_ENDPOINT_URL else None
)
STORAGE_ORIGINS: list[str] = []
if AWS_STORAGE_BUCKET_NAME:
    _s3 = {
        "bucket_name": AWS_STORAGE_BUCKET_NAME,
        "endpoint_url": AWS_S3_ENDPOINT_URL,
        "region_name": AWS_S3_REGION_NAME,
        "access_key": required("AWS_ACCESS_KEY_ID"),
        "secret_key": required("AWS_SECRET_ACCESS_KEY"),
        "custom_domain": AWS_S3_CUSTOM_DOMAIN,
        "addressing_style": AWS_S3_ADDRESSING_STYLE,
        # Public, unsigned URLs: the read API hands image and document URLs to the static
        # portal, which must not expire. Objection evidence is never stored here.
        "querystring_auth": False,
        "default_acl": None,
    }
    STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **_s3,
                "location": "media",
                "file_overwrite": False,
                "object_parameters": {"CacheControl": "public, max-age=86400"},
            },
        },
        "staticfiles": {
            # Hashed names (ManifestFilesMixin), so they can be cached for a year.
            "BACKEND": "storages.backends.s3.S3ManifestStaticStorage",
            "OPTIONS": {
                **_s3,
                "location": "static",
                "file_overwrite": True,
                "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
            },
        },
    }
    if AWS_S3_CUSTOM_DOMAIN:
        STORAGE_ORIGINS = [f"https://{AWS_S3_CUSTOM_DOMAIN}"]
    elif AWS_S3_ENDPOINT_URL:
        _endpoint = urlsplit(AWS_S3_ENDPOINT_URL)
        _host = _endpoint.netloc
        if AWS_S3_ADDRESSING_STYLE == "virtual":
            _host = f"{AWS_STORAGE_BUCKET_NAME}.{_host}"
        STORAGE_ORIGINS = [f"{_endpoint.scheme}://{_host}"]
    else:
        _region = f".{AWS_S3_REGION_NAME}" if AWS_S3_REGION_NAME else ""
        STORAGE_ORIGINS = [f"https://{AWS_STORAGE_BUCKET_NAME}.s3{_region}.amazonaws.com"]
else:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage",
            # Public files, read by nginx's own user (uploads keep FILE_UPLOAD_PERMISSIONS).
            "OPTIONS": {"file_permissions_mode": 0o644, "directory_permissions_mode": 0o755},
        },
    }

# Hashed names make Wagtail's ?v= version strings unnecessary; saying so also stops Wagtail
# from opening the static storage (and its manifest, over the network) when it is imported.
WAGTAILADMIN_STATIC_FILE_VERSION_STRINGS = False

# --- Content security policy (django-csp) for every CMS response. No third-party host:
# only this origin and the object storage that serves static files and media.
_assets = [SELF, *STORAGE_ORIGINS]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": _assets,
        "style-src": _assets,
        "img-src": [*_assets, "data:"],
        "font-src": _assets,
        "media-src": _assets,
        "connect-src": _assets,
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "upgrade-insecure-requests": True,
        "report-uri": os.environ.get("CSP_REPORT_URI", "").strip() or None,
    }
}
# Wagtail's admin renders inline <script> blocks (InlinePanel, date pickers) and style
# attributes, previews in a same-origin frame and makes blob: images for uploads; Redoc and
# Swagger (the API docs) inject styles and start blob: workers. Only there, and still with
# no other host.
CSP_RELAXED_PATH_PREFIXES = ["/admin/", "/api/docs/", "/api/v3/docs"]
CSP_RELAXED_DIRECTIVES = {
    "script-src": [*_assets, UNSAFE_INLINE],
    "style-src": [*_assets, UNSAFE_INLINE],
    "img-src": [*_assets, "data:", "blob:"],
    "frame-src": [SELF],
    "worker-src": [SELF, "blob:"],
}

# --- E-mail: errors to ADMINS, from SERVER_EMAIL, through an SMTP relay.
# DJANGO_ADMINS="运维 <ops@example.org>, dev@example.org"
ADMINS = [
    (name or address, address)
    for name, address in getaddresses([os.environ.get("DJANGO_ADMINS", "")])
    if "@" in address
]
MANAGERS = ADMINS
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", "").strip() or DEFAULT_FROM_EMAIL
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 10
EMAIL_SUBJECT_PREFIX = os.environ.get("EMAIL_SUBJECT_PREFIX", "[容错免责公示平台] ")

# --- Logging: one JSON object per line on stdout; errors also mailed to ADMINS.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "cms.core.log.JsonLineFormatter"}},
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "include_html": False,
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # Replaces Django's default handlers (a DEBUG-only console and mail_admins); records
        # still reach the root's console handler.
        "django": {"handlers": ["mail_admins"], "level": "INFO", "propagate": True},
        # Requests for unknown hosts are scanners: log them, do not mail them.
        "django.security.DisallowedHost": {
            "handlers": ["console"],
            "level": "WARNING",
            "propagate": False,
        },
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}
