"""Django settings for the benchmarks: production settings, plus the bare DRF endpoint the
objection API is compared with. Only ``make bench`` uses them (through benchmarks/__main__.py,
which sets the environment production requires: DATABASE_URL, secret key, hosts, URLs)."""

from cms.settings.production import *  # noqa: F403
from cms.settings.production import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks.bench"]
ROOT_URLCONF = "benchmarks.urls"
