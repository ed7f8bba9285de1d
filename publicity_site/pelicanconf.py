"""Pelican settings for the publicity portal (local builds: relative URLs)."""

import contextlib
import os
from pathlib import Path

from jinja2 import FileSystemBytecodeCache

ROOT = Path(__file__).resolve().parent.parent

# The department that issues the decisions: the publisher the feeds, open data and JSON-LD name.
AUTHOR = "浙江省科学技术厅"
SITENAME = "科技创新容错免责公示平台"
# The sponsor (主办单位), its contact office, address, phone, e-mail, postcode and office hours,
# and the site's identifiers (网站标识码, ICP 备案编号, 公安机关备案号, 党政机关网站标识) are set by
# editors in the CMS (设置 → 网站标识与联系方式): the export reads them from its API and the
# site_data plugin gives them to every page as SITE_IDENTITY, the sponsor as SITESUBTITLE.
SITESUBTITLE = ""
SITEURL = ""
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8001").rstrip("/")
# Where browsers reach the CMS: the objection and lookup forms post to its API (a navigation, so
# the static pages still load nothing from another host).
CMS_PUBLIC_URL = os.environ.get("CMS_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

PATH = str(ROOT / "content")
THEME = str(ROOT / "themes" / "publicity")
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh-CN"
DEFAULT_DATE_FORMAT = "%Y年%m月%d日"

# site_data: the feed links, build time, open-data columns and JSON-LD every page may show.
PLUGINS = ["portal.plugins.cms_content", "portal.plugins.site_data"]
# When the site was built, stated in every page's footer: ISO 8601, e.g. 2026-11-25T17:15+08:00.
# Empty: the time Pelican runs.
PORTAL_BUILT_AT = os.environ.get("PORTAL_BUILT_AT", "")

# Hand-written pages live in content/pages; the exporter writes content/generated.
PAGE_PATHS = ["pages", "generated"]
ARTICLE_PATHS = ["articles"]
STATIC_PATHS: list[str] = []
# Files served at the site root because browsers ask for them there (/favicon.ico): the
# site_data plugin copies this directory's files into the output on every Pelican run, as
# Pelican copies the theme's static files into theme/ (the pages link theme/favicon.svg).
SITE_ROOT_FILES = str(ROOT / "themes" / "publicity" / "root")
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
DIRECT_TEMPLATES: list[str] = []
ARCHIVES_SAVE_AS = AUTHORS_SAVE_AS = CATEGORIES_SAVE_AS = TAGS_SAVE_AS = ""
AUTHOR_SAVE_AS = CATEGORY_SAVE_AS = TAG_SAVE_AS = ""
ARTICLE_SAVE_AS = ""
# One language, no translations: never group pages by slug (a clash would hide a page).
PAGE_TRANSLATION_ID = None
ARTICLE_TRANSLATION_ID = None
DISPLAY_PAGES_ON_MENU = False
DISPLAY_CATEGORIES_ON_MENU = False

# Feeds are written by the portal's own feedgen step (portal/feeds.py), not by Pelican.
FEED_ALL_ATOM = FEED_ALL_RSS = CATEGORY_FEED_ATOM = TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None

RELATIVE_URLS = True
DELETE_OUTPUT_DIRECTORY = False
CACHE_CONTENT = False


class TemplateCache(FileSystemBytecodeCache):
    """Compiled templates kept between Pelican runs (by template and source checksum, written
    atomically): compiling the theme is most of what a run for a few pages costs. Kept in
    Jinja's own per-user directory under the system's temporary directory (which Jinja checks
    is this user's alone), or in ``PORTAL_TEMPLATE_CACHE``; one that cannot be written only
    costs that time."""

    def dump_bytecode(self, bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def template_cache() -> TemplateCache | None:
    try:
        return TemplateCache(os.environ.get("PORTAL_TEMPLATE_CACHE") or None)
    except (OSError, RuntimeError):  # no usable directory: templates compiled every run
        return None


JINJA_ENVIRONMENT = {
    "autoescape": True,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "bytecode_cache": template_cache(),
}

# Main navigation: (label, url relative to the site root).
NAVIGATION = [
    ("首页", ""),
    ("政策文件", "policies/"),
    ("申报指南", "guidance/"),
    ("公示公告", "notices/"),
    ("认定结果", "results/"),
    ("统计", "statistics/"),
    ("搜索", "search/"),
]
# Search: content/pages/search.md (template search.html) queries the Pagefind index that
# portal/search.py writes into every build; only bodies marked data-pagefind-body are indexed.
SEARCH_URL = "search/"
# Accessibility: the large-text, high-contrast mode and how to use the site (content/pages/a11y.md).
A11Y_URL = "a11y/"
FOOTER_LINKS = [
    ("如何提出异议", "objections/"),
    ("查询异议处理结果", "objections/status/"),
    ("失败经验总结", "lessons/"),
    ("关于本站", "about/"),
    ("隐私声明", "privacy/"),
    ("订阅", "subscribe/"),
    ("开放数据", "data/"),
    ("公示记录", "record/"),
    ("网站地图", "sitemap/"),
]
