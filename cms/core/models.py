"""The site's root page."""

from django.conf import settings
from django.db import models
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.api import APIField
from wagtail.models import Page

from . import gate


class HeadlessPage(Page):
    """A page the portal renders: the CMS has no templates, so it offers no preview.

    Every change of its state passes the gate (:mod:`cms.core.gate`); a page type says what
    the gate forbids with the attributes and the method below.
    """

    preview_modes: list = []
    #: Once live, never unpublished, deleted or moved (withdrawn, corrected or superseded instead).
    permanent_once_public = False
    copyable = True
    kind_en = "page"
    #: Where the portal shows the page, ``{slug}`` filled in; the portal's home by default.
    portal_path = ""

    class Meta:
        abstract = True

    def gate_publish_errors(self, now, *, was_published: bool) -> list:
        """Why this page (as it would be published) may not be published now."""
        return []

    def permissions_for_user(self, user):
        return gate.GatedPagePermissionTester(user, self)

    def save(self, *args, **kwargs):
        if self.permanent_once_public:
            self.expire_at = None  # scheduled expiry would unpublish it
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        gate.ensure_allowed(self, gate.DELETE)
        return super().delete(*args, **kwargs)

    def copy_all_child_relations(self, target, exclude=None):
        """Every copy of a page (Wagtail's copy and alias actions, from the admin or from code,
        through a plain ``Page`` too) copies its child relations first, before writing anything:
        a page that may not be copied is refused here."""
        if errors := gate.change_errors(self, gate.COPY):
            raise gate.GateError(errors)
        return super().copy_all_child_relations(target, exclude=exclude)

    def unpublish(self, *args, **kwargs):
        gate.ensure_allowed(self, gate.UNPUBLISH)
        return super().unpublish(*args, **kwargs)

    def serve(self, request, *args, **kwargs):
        """The portal shows the page: its URL on the CMS leads to ``portal_path`` there."""
        return HttpResponseRedirect(f"{settings.PORTAL_BASE_URL}/{self.portal_address()}")

    def portal_address(self) -> str:
        """The page's path on the portal, relative to its base URL."""
        return self.portal_path.format(slug=self.slug)


class HomePage(HeadlessPage):
    """The root of the public site; the portal's home page is built from it."""

    introduction = models.TextField(_("首页导语"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    api_fields = [APIField("introduction")]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("首页")
        verbose_name_plural = _("首页")


class PortalBuild(models.Model):
    """One run of the portal build, requested by a publish, a window boundary or by hand."""

    reason = models.CharField(_("原因"), max_length=200)
    requested_at = models.DateTimeField(_("请求时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    succeeded = models.BooleanField(_("成功"), null=True)
    output = models.TextField(_("输出"), blank=True)

    class Meta:
        verbose_name = _("门户构建")
        verbose_name_plural = _("门户构建")
        ordering = ["-requested_at"]

    def __str__(self):
        return f"{self.requested_at:%Y-%m-%d %H:%M} {self.reason}"

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None
