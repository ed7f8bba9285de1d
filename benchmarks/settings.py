"""Django settings for the benchmarks: production settings, plus the bare DRF endpoint the
objection API is compared with. Only ``make bench`` uses them (through benchmarks/__main__.py,
which sets the environment production requires: DATABASE_URL, secret key, hosts, URLs)."""

import os

from cms.settings.production import *  # noqa: F403
from cms.settings.production import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks.bench"]
ROOT_URLCONF = "benchmarks.urls"

# Diagnostic only (BENCH_LOCMEM_CACHE=1): the cache the objection rate limits count in, in each
# process's memory instead of the database (not shared between workers, so never for real use):
# what the database cache costs a request. Never on in the figures called "objection API".
if os.environ.get("BENCH_LOCMEM_CACHE") == "1":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
