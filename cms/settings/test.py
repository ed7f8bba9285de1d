"""Test settings: fast hashing, in-memory mail, the database from DATABASE_URL or SQLite.

Tests are hermetic: the shell's addresses and ports (``make test PORTAL_PORT=18001``) never
reach the CMS's settings, the portal builds the tests run, or the servers they start.
"""

import os

for _name in ("CMS_BASE_URL", "PORTAL_BASE_URL", "CMS_PORT", "PORTAL_PORT"):
    os.environ.pop(_name, None)

from .base import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["*"]
LOGGING = {"version": 1, "disable_existing_loggers": False}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PORTAL_BUILD_COMMAND: list[str] = []
