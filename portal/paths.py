"""Where the portal builds: the site, its content and its theme, beside the code."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE_DIR = ROOT / "publicity_site"
CONTENT_DIR = ROOT / "content"
THEME_DIR = ROOT / "themes" / "publicity"
