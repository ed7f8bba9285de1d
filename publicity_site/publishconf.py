"""Publishing: absolute URLs on the public host. Imports pelicanconf and changes only that."""

import sys
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent))

from pelicanconf import *  # noqa: F403
from pelicanconf import PORTAL_BASE_URL

SITEURL = PORTAL_BASE_URL
RELATIVE_URLS = False
# CMS_PUBLIC_URL, where the forms post, stays as pelicanconf read it from $CMS_BASE_URL.
