"""Policy documents and their index."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, PageChooserPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.core.models import HeadlessPage
from cms.domain.windows import comment_window, window_summary
from common.addresses import POLICIES_PATH, policy_path

from .blocks import PolicyBodyBlock
from .outline import build_outline


class PolicyStatus(models.TextChoices):
    DRAFT_FOR_COMMENTS = "draft_for_comments", _("征求意见稿")
    TRIAL = "trial", _("试行")
    IN_FORCE = "in_force", _("正式")
    REVISED = "revised", _("已修订")
    REPEALED = "repealed", _("已废止")


#: Statuses in which the page must name the document that replaces it.
SUPERSEDED_STATUSES = frozenset({PolicyStatus.REVISED, PolicyStatus.REPEALED})


class PolicyIndexPage(HeadlessPage):
    introduction = models.TextField(_("导语"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    api_fields = [APIField("introduction")]
    parent_page_types = ["core.HomePage"]
    subpage_types = ["policies.PolicyPage"]
    max_count = 1
    portal_path = POLICIES_PATH
    slug_prefix = "policies"

    class Meta:
        verbose_name = _("政策文件栏目")
        verbose_name_plural = _("政策文件栏目")


class PolicyPage(HeadlessPage):
    """A policy document. Once live it stays: it is revised or repealed, never unpublished."""

    permanent_once_public = True
    kind_en = "policy"
    slug_prefix = "policy"
    document_number = models.CharField(_("文号"), max_length=100, blank=True)
    issuing_body = models.CharField(_("发文机关"), max_length=100)
    status = models.CharField(
        _("状态"), max_length=32, choices=PolicyStatus.choices, default=PolicyStatus.TRIAL
    )
    superseded_by = models.ForeignKey(
        "policies.PolicyPage",
        verbose_name=_("替代文件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("状态为“已修订”或“已废止”时必填：取代本文件的政策文件。"),
    )
    issue_date = models.DateField(_("发布日期"), null=True, blank=True)
    effective_date = models.DateField(_("施行日期"), null=True, blank=True)
    preamble = models.TextField(_("序言"), blank=True)
    body = StreamField(PolicyBodyBlock(), verbose_name=_("正文"), blank=True)
    interpretation = RichTextField(
        _("政策解读"),
        blank=True,
        features=["h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link"],
    )
    comments_open_on = models.DateField(
        _("征求意见开始日期"),
        null=True,
        blank=True,
        help_text=_("仅对“征求意见稿”有效：自该日0时（北京时间）起受理公众意见。"),
    )
    comments_close_on = models.DateField(
        _("征求意见截止日期"),
        null=True,
        blank=True,
        help_text=_("含该日，至该日24时（北京时间）截止。开始和截止日期须同时填写或同时留空。"),
    )
    comment_summary = RichTextField(
        _("意见采纳情况说明"),
        blank=True,
        features=["h3", "h4", "bold", "italic", "ol", "ul", "link"],
        help_text=_("文件正式印发后与文件一同公布：征求意见的总体情况及采纳情况。"),
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("document_number"),
                FieldPanel("issuing_body"),
                FieldPanel("status"),
                PageChooserPanel("superseded_by", "policies.PolicyPage"),
                FieldPanel("issue_date"),
                FieldPanel("effective_date"),
            ],
            heading=_("文件信息"),
        ),
        FieldPanel("preamble"),
        FieldPanel("body"),
        FieldPanel("interpretation"),
        MultiFieldPanel(
            [
                FieldPanel("comments_open_on"),
                FieldPanel("comments_close_on"),
                FieldPanel("comment_summary"),
            ],
            heading=_("征求意见"),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("preamble"),
        index.SearchField("body"),
        index.FilterField("status"),
    ]
    api_fields = [
        APIField("document_number"),
        APIField("issuing_body"),
        APIField("status"),
        APIField("status_label"),
        APIField("superseded_by_summary"),
        APIField("issue_date"),
        APIField("effective_date"),
        APIField("preamble"),
        APIField("outline"),
        APIField("interpretation"),
        APIField("comment_window"),
        APIField("comment_summary"),
    ]
    parent_page_types = ["policies.PolicyIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("政策文件")
        verbose_name_plural = _("政策文件")

    def portal_address(self) -> str:
        return policy_path(self.slug)

    @property
    def status_label(self) -> str:
        return str(PolicyStatus(self.status).label)

    @property
    def superseded_by_summary(self) -> dict | None:
        target = self.superseded_by
        if target is None or not target.live:
            return None
        return {"id": target.pk, "title": target.title, "slug": target.slug}

    @property
    def outline(self) -> list[dict]:
        return build_outline(self.body)

    @property
    def in_consultation(self) -> bool:
        return self.status == PolicyStatus.DRAFT_FOR_COMMENTS

    @property
    def comment_period(self):
        """The comment window (a :class:`cms.notices.rules.PublicityWindow`), or None."""
        return comment_window(self.comments_open_on, self.comments_close_on)

    @property
    def comment_window(self) -> dict | None:
        """For the read API: dates, state today, days left, whether comments are accepted."""
        window = self.comment_period
        if window is None:
            return None
        return window_summary(window, timezone.now(), in_consultation=self.in_consultation)

    def record_data(self) -> dict:
        """The policy's canonical public data in the public record (docs/public-record.md)."""
        return {
            "slug": self.slug,
            "title": self.title,
            "document_number": self.document_number,
            "issuing_body": self.issuing_body,
            "status": self.status,
        }

    def clean(self):
        super().clean()
        errors = {}
        opens, closes = self.comments_open_on, self.comments_close_on
        if (opens is None) != (closes is None):
            missing = "comments_close_on" if closes is None else "comments_open_on"
            errors[missing] = _("征求意见的开始日期和截止日期须同时填写，或同时留空。")
        elif opens and closes and closes < opens:
            errors["comments_close_on"] = _("征求意见截止日期不能早于开始日期。")
        if self.status in SUPERSEDED_STATUSES and self.superseded_by_id is None:
            errors["superseded_by"] = _("已修订或已废止的文件须指明替代文件。")
        if self.superseded_by_id is not None and self.superseded_by_id == self.pk:
            errors["superseded_by"] = _("替代文件不能是本文件自身。")
        if self.issue_date and self.effective_date and self.effective_date < self.issue_date:
            errors["effective_date"] = _("施行日期不能早于发布日期。")
        if errors:
            raise ValidationError(errors)
