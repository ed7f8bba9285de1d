"""Django settings for the benchmarks: production settings, plus the bare DRF endpoint the
objection API is compared with. Only ``make bench`` uses them (through benchmarks/__main__.py,
which sets the environment production requires: DATABASE_URL, secret key, hosts, URLs)."""

import os

from cms.settings.production import *  # noqa: F403
from cms.settings.production import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks.bench"]
ROOT_URLCONF = "benchmarks.urls"

# Diagnostic only (BENCH_FAST_LOOKUP_HASH=1): the objection's lookup-code hash with one
# PBKDF2 iteration instead of Django's default, to show what the rest of the request costs.
# Never on in the figures called "objection API".
if os.environ.get("BENCH_FAST_LOOKUP_HASH") == "1":
    PASSWORD_HASHERS = ["benchmarks.bench.hashers.OneIterationPBKDF2"]
