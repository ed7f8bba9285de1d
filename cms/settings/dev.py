"""Embedded mode on one machine: SQLite, local files, Django's development server."""

from .base import *  # noqa: F403

DEBUG = True
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
VAR_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405
