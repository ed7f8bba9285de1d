"""The admin's preview: a page as the portal will render it, before anything is published.

The CMS has no templates for pages: the portal renders them from the read API. For a preview the
page as edited (the revision not yet saved, or a page never saved at all) is serialised as the
read API gives a page (Wagtail API v3's schema for its type, as ``/api/v3/pages/<id>/``) and handed
to the portal's own renderer, ``python -m portal preview``, in a child process: the CMS never
imports the portal, as the rebuild task (:mod:`cms.core.tasks`) runs its build. The pages that
show a form get the API's OpenAPI document too (what ``/api/schema/`` serves). The portal renders
in a temporary directory: the live site, its builds and the exported sources are not touched.

Only pages made from their own data are previewed (:data:`PREVIEW_TYPES`, the portal's
``portal.preview.PAGE_TYPES``); a listing is made of other pages and offers no preview.
"""

import contextlib
import functools
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

#: Wagtail's preview modes of a page the portal previews: one, the portal's page.
MODES = [("", _("门户页面"))]
#: The page types the portal previews (``app_label.ModelName``).
PREVIEW_TYPES = frozenset({
    "notices.DecisionNoticePage", "policies.PolicyPage", "guidance.GuidancePage",
    "guidance.FaqPage", "lessons.LessonPage",
})  # fmt: skip
TIMEOUT_SECONDS = 60
#: The id a page never saved is serialised with: no page has it (ids start at 1).
UNSAVED_ID = 0


class PreviewFailed(RuntimeError):
    """No preview: the page's data cannot be serialised yet, or the portal did not render it."""

    def __init__(self, message: str, detail: str = "", status: int = 503):
        super().__init__(message)
        self.message, self.detail, self.status = message, detail, status


def modes_for(page) -> list:
    """The page's preview modes: the portal's page for the types it previews, none else."""
    return list(MODES) if page._meta.label in PREVIEW_TYPES else []


def command(openapi: Path) -> list[str]:
    """The portal's preview command, run from the project's root with this interpreter."""
    return [sys.executable, "-m", "portal", "preview", "--openapi", str(openapi)]


@contextlib.contextmanager
def _as_draft(page) -> Iterator[None]:
    """A page never saved is serialised as its first draft would be: not live (Wagtail makes a
    new page with ``live`` set, and clears it when the draft is saved), and with an id, which
    the API's shape requires and without which Django refuses the related objects of an
    unsaved object (a notice's corrections): :data:`UNSAVED_ID`, which finds none. The page is
    left as it was."""
    if page.pk is not None:
        yield
        return
    live = page.live
    page.pk = page.id = UNSAVED_ID
    page.live = False
    try:
        yield
    finally:
        page.pk = page.id = None
        page.live = live


def page_json(page, request: HttpRequest) -> str:
    """The page as the read API gives a page detail (``/api/v3/pages/<id>/``), as JSON."""
    from wagtail.api.v3.registry import registry
    from wagtail.api.v3.urls import api

    registration = registry.get(page._meta.label)
    if registration is None or registration.read_schema is None:
        raise PreviewFailed(f"{page._meta.label} has no read schema in the API")
    context = {"request": request}
    with _as_draft(page):
        data = registration.read_schema.model_validate(page, context=context)
        return api.renderer.render(request, data.model_dump(context=context), response_status=200)


@functools.cache
def openapi_document() -> str:
    """What ``/api/schema/`` serves (the objection and comment APIs): the forms' fields and
    limits. The same for the life of the process (it follows the code and the settings)."""
    from drf_spectacular.renderers import OpenApiJsonRenderer
    from drf_spectacular.settings import spectacular_settings

    schema = spectacular_settings.DEFAULT_GENERATOR_CLASS().get_schema(request=None, public=True)
    return OpenApiJsonRenderer().render(schema, renderer_context={}).decode("utf-8")


def render(page, request: HttpRequest) -> str:
    """The portal's HTML preview of ``page`` as edited; :class:`PreviewFailed` without one."""
    try:
        data = page_json(page, request)
    except (ValueError, TypeError, AttributeError, LookupError) as exc:
        # E.g. a notice without its publicity start: Wagtail previews before required fields
        # are filled in, but the API's data cannot be made without them.
        message = "页面内容尚不完整，无法生成门户页面的预览。请先填写必填项。"
        raise PreviewFailed(message, repr(exc), status=200) from exc
    with tempfile.TemporaryDirectory(prefix="cms-preview-") as work:
        openapi = Path(work) / "openapi.json"
        openapi.write_text(openapi_document(), encoding="utf-8")
        try:
            # The portal speaks Chinese: UTF-8 both ways, whatever the server's locale.
            completed = subprocess.run(
                command(openapi),
                input=data,
                capture_output=True,
                encoding="utf-8",
                errors="replace",
                check=False,
                cwd=settings.BASE_DIR,
                env={**os.environ, "PYTHONIOENCODING": "utf-8"},
                timeout=TIMEOUT_SECONDS,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PreviewFailed("门户未能及时生成本页的预览。", repr(exc)) from exc
    if completed.returncode != 0 or not completed.stdout.strip():
        detail = f"exit {completed.returncode}: {completed.stderr.strip()[-2000:]}"
        raise PreviewFailed("门户未能生成本页的预览。", detail)
    return completed.stdout


ERROR_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="robots" content="noindex"><title>预览失败</title></head>
<body>
<h1>预览失败</h1>
<p>{}</p>
<p>编辑中的内容没有受到影响，可以继续编辑和保存。如果问题一直存在，请联系系统管理员。</p>
</body>
</html>
"""


def serve(page, request: HttpRequest) -> HttpResponse:
    """Wagtail's preview of ``page``: the portal's page, or a page in Chinese saying why not
    (the reason is logged)."""
    try:
        html = render(page, request)
    except PreviewFailed as exc:
        log = logger.error if exc.status >= 500 else logger.info
        log("preview of %s %r failed: %s %s", page._meta.label, page.title, exc, exc.detail)
        return HttpResponse(
            format_html(ERROR_PAGE, exc.message),
            status=exc.status,
            content_type="text/html; charset=utf-8",
        )
    return HttpResponse(html, content_type="text/html; charset=utf-8")
