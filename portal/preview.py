"""``python -m portal preview``: one page as the portal will render it, before it is published.

The CMS's admin shows editors and approvers this preview. It sends one page's JSON on stdin, as
the read API gives it (a page detail, ``/api/v3/pages/<id>/``, or a row of ``/api/v3/notices/``),
and, for the pages that show a form, the OpenAPI document of its API (``--openapi``). The page's
source is made as the export makes it and rendered by Pelican with the build's theme and
settings, in a temporary directory: nothing is read from or written to the live site, the builds
or ``content/``. The HTML written to stdout is the page as built, marked as a preview:

- a banner (:data:`BANNER_TITLE`) and ``<meta name="robots" content="noindex">``;
- the theme's style sheets inlined, its scripts left out, and links to the portal's pages made
  absolute (on ``PORTAL_BASE_URL``): the CMS shows the page, where the portal's files are not;
- its forms inert: a preview is for reading, nothing in it can be sent.

A decision notice that is not on the portal yet (a draft, in review, approved and waiting) is
shown as the public will first see it: on the first day of its publicity window, with the
objection form. Only pages made from their own data can be previewed (:data:`PAGE_TYPES`); a
listing is made of other pages, and is seen on the portal once they are published.
"""

import html
import json
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from . import consultation, guidance, lessons, objections
from .build import ROOT, SITE_DIR, THEME_DIR
from .dates import notice_dates
from .export import POLICY_TYPE, policy_source
from .lessons import LessonDataError
from .notices import (
    LISTINGS,
    NOTICE_TYPE,
    UNDER_PUBLICITY,
    NoticeDataError,
    notice_data,
    notice_source,
)
from .opendata import read_pelican_settings
from .render import run_pelican_command
from .sources import GENERATED_DIR, source_bytes, source_path

SETTINGS_FILE = SITE_DIR / "pelicanconf.py"
BANNER_TITLE = "预览：尚未发布，仅供审核"
#: The states of a notice that is not on the portal yet (the CMS's draft, in review, approved).
NOT_YET_PUBLIC = frozenset({"draft", "in_review", "approved"})


class PreviewError(ValueError):
    """The page cannot be previewed as sent: not JSON, a type the portal does not preview, data
    the export would refuse, or a form without the API's description."""


class _Document:
    """What the form modules ask a :class:`portal.client.CMSClient` for: the OpenAPI document,
    here as the CMS sent it."""

    def __init__(self, schema: dict[str, Any] | None):
        self.schema = schema

    def openapi_schema(self) -> dict[str, Any]:
        if self.schema is None:
            raise PreviewError(
                "本页含表单，须同时提供 CMS 接口的 OpenAPI 文档（--openapi） / the page shows a"
                " form: pass the CMS's OpenAPI document (--openapi)"
            )
        return self.schema


# --- the page's source ----------------------------------------------------------------------


def first_day(notice: dict[str, Any]) -> dict[str, Any]:
    """A notice not yet on the portal as it will read on the first day of its window: under
    publicity, every day of it left, in the listing of notices under publicity."""
    listing = LISTINGS["open"]
    label = listing["heading"]  # 公示中
    window = {
        **notice["window"],
        "state": UNDER_PUBLICITY,
        "state_label": label,
        "phase": "open",
        "days_left": notice["window"]["days"],
        "as_of_zh": notice["window"]["start_zh"],
    }
    return {
        **notice,
        "state": UNDER_PUBLICITY,
        "state_label": label,
        "under_publicity": True,
        "window": window,
        "listing": {"title": listing["title"], "url": listing["url"]},
    }


def _notice(page: dict[str, Any], document: _Document) -> tuple[dict[str, Any], str]:
    summaries = [page.get("corrects_summary") or {}, *(page.get("corrected_by_summary") or [])]
    # The notice it corrects and its corrections are live (the API names only live corrections).
    live_ids = {page["id"], *(summary["id"] for summary in summaries if summary.get("id"))}
    notice = notice_data(page, live_ids)
    note = ""
    if notice["state"] in NOT_YET_PUBLIC:
        notice = first_day(notice)
        note = (
            f"本公告尚未上线，以下是公示期首日（{notice['window']['start_zh']}）上线后公众看到的"
            "样子；其中的异议表单在预览中不能提交。"
        )
    form = objections.fetch_form(document) if notice["under_publicity"] else {}
    source = notice_source(notice, form)
    source["cms"]["dates"] = notice_dates(page, {})
    return source, note


def _policy(page: dict[str, Any], document: _Document) -> tuple[dict[str, Any], str]:
    source = policy_source(page)
    consultation.add_comment_forms([source], document)
    note = "其中的意见表单在预览中不能提交。" if source["cms"].get("comment_form") else ""
    return source, note


def _lesson(page: dict[str, Any], document: _Document) -> tuple[dict[str, Any], str]:
    found = lessons.lesson_sources([page], None).values()
    return next(s for s in found if s["metadata"]["template"] == lessons.PAGE_TEMPLATE), ""


def _guidance(page: dict[str, Any], document: _Document) -> tuple[dict[str, Any], str]:
    return guidance.guidance_source(page), ""


def _faq(page: dict[str, Any], document: _Document) -> tuple[dict[str, Any], str]:
    return guidance.faq_source(page, None), ""


#: The page types the portal previews, and how each page's source is made.
SOURCES: dict[str, Callable[[dict[str, Any], _Document], tuple[dict[str, Any], str]]] = {
    NOTICE_TYPE: _notice,
    POLICY_TYPE: _policy,
    lessons.LESSON_TYPE: _lesson,
    guidance.GUIDANCE_TYPE: _guidance,
    guidance.FAQ_TYPE: _faq,
}
PAGE_TYPES = frozenset(SOURCES)


def read_page(data: bytes | str) -> dict[str, Any]:
    """The page's JSON; a row of ``/api/v3/notices/`` gets the ``meta`` of a page detail, as
    :meth:`portal.client.CMSClient.notices` gives it."""
    try:
        page = json.loads(data)
    except ValueError as exc:
        raise PreviewError(f"输入不是 JSON / not JSON: {exc}") from exc
    if not isinstance(page, dict) or "id" not in page or "title" not in page:
        raise PreviewError("输入不是一个页面 / not a page (no id or title)")
    meta = page.get("meta") or {}
    if "slug" not in meta and "slug" in page:
        meta = {**meta, "slug": page["slug"], "first_published_at": page.get("first_published_at")}
    return {**page, "meta": meta}


def page_source(
    page: dict[str, Any], page_type: str | None = None, openapi: dict[str, Any] | None = None
) -> tuple[dict[str, Any], str]:
    """The page's source, as the export makes it, and what the banner adds about it."""
    kind = page_type or page["meta"].get("type") or ""
    make = SOURCES.get(kind)
    if make is None:
        raise PreviewError(f"门户不预览此类页面 / the portal does not preview {kind or 'untyped'}"
                           " pages")  # fmt: skip
    try:
        return make(page, _Document(openapi))
    except (NoticeDataError, LessonDataError, objections.ObjectionSchemaError) as exc:
        raise PreviewError(str(exc)) from exc
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, PreviewError):
            raise
        raise PreviewError(f"页面数据不完整 / unexpected page data: {exc!r}") from exc


# --- the page, rendered and marked as a preview ---------------------------------------------

_STYLESHEET = re.compile(r'<link rel="stylesheet" href="[^"]*theme/css/([\w.-]+\.css)">')
_THEME_SCRIPT = re.compile(r'<script src="[^"]*theme/js/[\w.-]+\.js"[^>]*></script>\n?')
_LINK = re.compile(r'(<a\b[^>]*?\shref=")([^"]*)(")')
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_BODY = re.compile(r"<body\b[^>]*>")
_FORM = re.compile(r"<form\b")

BANNER_CSS = (
    ".preview-banner{background:#fff4ce;color:#3b2a00;border-bottom:3px solid #a15c00;"
    "padding:.75rem 1rem;line-height:1.6}.preview-banner p{margin:0 auto;max-width:70rem}"
)


def _banner(note: str) -> str:
    text = f"<strong>{html.escape(BANNER_TITLE)}</strong>"
    if note:
        text += f"。{html.escape(note)}"
    return f'<div class="preview-banner" role="note"><p>{text}</p></div>'


def mark_preview(page_html: str, url: str, note: str, base_url: str, theme_css: Path) -> str:
    """The built page as a preview (see the module's description). ``url``: the page's address
    on the portal; ``theme_css``: the style sheets as the build ships them."""

    def inline(match: re.Match) -> str:
        css = (theme_css / match.group(1)).read_text(encoding="utf-8")
        return f"<style>\n{css}</style>"

    def absolute(match: re.Match) -> str:
        start, href, end = match.groups()
        href = html.unescape(href)
        if href.startswith("#") or _SCHEME.match(href):
            return match.group(0)  # on this page, or mail, telephone, another host
        target = html.escape(urljoin(f"{base_url}/{url}", href))
        return f'{start}{target}{end} target="_blank" rel="noopener"'

    page_html = _STYLESHEET.sub(inline, page_html)
    page_html = _THEME_SCRIPT.sub("", page_html)
    page_html = _LINK.sub(absolute, page_html)
    page_html = _FORM.sub("<form inert", page_html)
    page_html = page_html.replace("<title>", "<title>【预览】", 1)
    head = f'<meta name="robots" content="noindex">\n<style>{BANNER_CSS}</style>\n</head>'
    page_html = page_html.replace("</head>", head, 1)
    body = _BODY.search(page_html)
    if body is None:
        raise PreviewError("主题模板没有 <body> / the theme's page has no <body>")
    return f"{page_html[: body.end()]}\n{_banner(note)}{page_html[body.end() :]}"


def render_preview(
    source: dict[str, Any],
    note: str = "",
    *,
    settings_file: Path = SETTINGS_FILE,
    theme: Path = THEME_DIR,
) -> str:
    """Renders ``source`` with Pelican, as the build does, in a temporary directory that is
    removed afterwards; returns the page's HTML marked as a preview."""
    settings = read_pelican_settings(settings_file)
    base_url = str(settings.get("PORTAL_BASE_URL") or "").rstrip("/")
    metadata = source["metadata"]
    with tempfile.TemporaryDirectory(prefix="portal-preview-") as work:
        content, output = Path(work) / "content", Path(work) / "output"
        path = content / GENERATED_DIR / source_path(metadata["url"])
        path.parent.mkdir(parents=True)
        (content / "pages").mkdir()
        path.write_bytes(source_bytes(source))
        run_pelican_command(settings_file, theme, ROOT)(content, output)
        page_html = (output / metadata["save_as"]).read_text(encoding="utf-8")
        return mark_preview(page_html, metadata["url"], note, base_url, output / "theme" / "css")


def load_openapi(path: str | Path | None) -> dict[str, Any] | None:
    if not path:
        return None
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        message = f"无法读取 OpenAPI 文档 / cannot read the OpenAPI document: {exc}"
        raise PreviewError(message) from exc


def preview(
    data: bytes | str, page_type: str | None = None, openapi: dict[str, Any] | None = None
) -> str:
    """The HTML preview of the page whose JSON is ``data``."""
    source, note = page_source(read_page(data), page_type, openapi)
    return render_preview(source, note)
