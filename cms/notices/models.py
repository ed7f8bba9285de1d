"""Decision notices (决定公告), their decision items (认定事项) and exemption marks (免责标注).

The rules themselves (codes, window, states, guards) live in :mod:`cms.notices.rules`; the
models store facts and ask the rules what they mean. The items and marks are defined in
:mod:`cms.notices.items` and registered here.
"""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.models import GroupApprovalTask, Page, Revision
from wagtail.search import index

from cms.core.models import HeadlessPage
from cms.domain.dates import local_date
from cms.domain.errors import GuardError
from cms.domain.programmes import handling_body_for
from cms.domain.windows import PublicityWindow
from common.addresses import (
    NOTICES_PATH,
    RESERVED_NOTICE_SEGMENTS,
    notice_path,
    number_slug,
)

from . import rules
from .forms import DecisionNoticeForm
from .guards import ensure_publishable, publish_errors
from .items import DecisionItem, ExemptionMark  # noqa: F401 (registered with the app here)
from .publication import (
    clause_lookup,
    item_public_data,
    no_objections,
    notice_summary,
    objection_counts,
    record_data,
)


def publicity_days_default() -> int:
    return settings.PUBLICITY_DAYS


class NoticeIndexPage(HeadlessPage):
    """公示公告栏目: the parent of every decision notice."""

    introduction = models.TextField(_("导语"), blank=True)
    policy = models.ForeignKey(
        "policies.PolicyPage",
        verbose_name=_("所依据的政策文件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("理由所引条款从该文件中取原文并链接到相应条款。"),
    )

    content_panels = [*Page.content_panels, FieldPanel("introduction"), FieldPanel("policy")]
    api_fields = [APIField("introduction"), APIField("policy_summary")]
    parent_page_types = ["core.HomePage"]
    subpage_types = ["notices.DecisionNoticePage"]
    max_count = 1
    portal_path = NOTICES_PATH
    slug_prefix = "notices"

    class Meta:
        verbose_name = _("公示公告栏目")
        verbose_name_plural = _("公示公告栏目")

    @property
    def policy_summary(self) -> dict | None:
        if self.policy is None:
            return None
        return {"id": self.policy.pk, "title": self.policy.title, "slug": self.policy.slug}


def cited_policy():
    """The policy page the notices cite (the notice index's), live or not; None without one."""
    index = NoticeIndexPage.objects.select_related("policy").first()
    return getattr(index, "policy", None)


class DecisionNoticePage(HeadlessPage):
    """决定公告: one or more decision items put on publicity for a window of days."""

    notice_number = models.CharField(_("公告编号"), max_length=64, unique=True)
    publicity_start = models.DateField(
        _("公示开始日期"), help_text=_("北京时间当日0时上线，公示期含首日共7天。")
    )
    publicity_days = models.PositiveSmallIntegerField(
        _("公示天数"), default=publicity_days_default, editable=False
    )
    introduction = models.TextField(_("公告正文"), blank=True)
    contact_office = models.CharField(_("异议受理部门"), max_length=100)
    contact_phone = models.CharField(_("联系电话"), max_length=40)
    contact_email = models.EmailField(_("电子邮箱"))
    contact_address = models.CharField(_("通信地址"), max_length=200)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("更正的公告"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    correction_note = models.TextField(_("更正说明"), blank=True)
    finalised_at = models.DateTimeField(_("确认结果时间"), null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True, editable=False)
    withdrawal_reason = models.TextField(_("撤回原因"), blank=True, editable=False)
    recorded_state = models.CharField(_("已记录状态"), max_length=32, blank=True, editable=False)
    reapproval_reason = models.TextField(
        _("须重新审定"),
        blank=True,
        editable=False,
        help_text=_("已审定的公告未能按期上线时，说明原因；修改后重新提交集体审定即清除。"),
    )

    #: What the row alone holds: never taken from a revision when one is published or reverted.
    ROW_STATE_FIELDS = (
        "finalised_at", "withdrawn_at", "withdrawal_reason", "recorded_state",
        "reapproval_reason", "corrects_id",
    )  # fmt: skip
    permanent_once_public = True
    copyable = False
    kind_en = "notice"

    # The slug comes from the notice number: on creation, and when the editor corrects the
    # number before the notice is first published (DecisionNoticeForm.settle_slug).
    slug_prefix = "notice"  # for a number with no ASCII letter or digit
    reserved_slugs = RESERVED_NOTICE_SEGMENTS  # notices/<slug>/ sits beside the listings
    promote_panels = [
        FieldPanel(
            "slug",
            read_only=True,
            heading=_("网址名"),
            help_text=_("由公告编号生成，门户上的公告网址由此而来；公告发布后不再改变。"),
        )
    ]

    def portal_address(self) -> str:
        return notice_path(self.slug, self.id)

    def slug_base(self) -> str:
        """``浙科容〔2026〕8号`` → ``2026-8`` (``2026-8-2`` if another notice has that)."""
        return number_slug(self.notice_number) or self.slug_prefix

    def numbered_slugs(self) -> bool:
        return False

    base_form_class = DecisionNoticeForm
    content_panels = [
        FieldPanel("reapproval_reason", read_only=True, classname="reapproval"),
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("notice_number"), FieldPanel("publicity_start")], heading=_("公示")
        ),
        FieldPanel("introduction"),
        MultiFieldPanel(
            [
                FieldPanel("contact_office"),
                FieldRowPanel([FieldPanel("contact_phone"), FieldPanel("contact_email")]),
                FieldPanel("contact_address"),
            ],
            heading=_("异议受理方式"),
        ),
        InlinePanel("items", label=_("认定事项"), min_num=1),
        MultiFieldPanel(
            [FieldPanel("corrects", read_only=True), FieldPanel("correction_note")],
            heading=_("更正"),
        ),
    ]
    # Go-live follows the publicity start date; editors do not schedule by hand.
    settings_panels: list = []
    search_fields = [
        *Page.search_fields,
        index.SearchField("notice_number"),
        index.SearchField("introduction"),
        index.FilterField("publicity_start"),
    ]
    api_fields = [
        APIField("notice_number"),
        APIField("introduction"),
        APIField("window"),
        APIField("handling_body"),
        APIField("objection_contact"),
        APIField("public_items"),
        APIField("corrects_summary"),
        APIField("correction_note"),
        APIField("corrected_by_summary"),
        APIField("withdrawal"),
        APIField("finalised_on"),
        APIField("record_data"),
        APIField("objection_counts"),
    ]
    parent_page_types = ["notices.NoticeIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("决定公告")
        verbose_name_plural = _("决定公告")
        permissions = [
            ("finalise_decisionnoticepage", _("可确认认定结果")),
            ("withdraw_decisionnoticepage", _("可撤回公告")),
        ]

    # --- facts and state ---------------------------------------------------------------

    @property
    def publicity_window(self) -> PublicityWindow:
        return PublicityWindow(self.publicity_start, self.publicity_days)

    def is_approved(self) -> bool:
        """Published, or approved and waiting for its go-live."""
        if self.live or self.first_published_at:
            return True
        return Revision.objects.filter(
            object_id=str(self.pk),
            base_content_type=self.get_base_content_type(),
            approved_go_live_at__isnull=False,
        ).exists()

    def live_corrections(self) -> list["DecisionNoticePage"]:
        # Iterating .all() uses a prefetch when the caller made one (the bulk export does).
        return [page for page in self.corrections.all() if page.live]

    def is_corrected(self) -> bool:
        return bool(self.live_corrections())

    def facts(self, *, corrected: bool | None = None) -> rules.NoticeFacts:
        """``corrected``: whether a live correction exists, when the caller's query already
        says so (one query fewer); None asks the database."""
        approved = self.is_approved()
        return rules.NoticeFacts(
            approved=approved,
            window=self.publicity_window,
            finalised=self.finalised_at is not None,
            corrected=self.is_corrected() if corrected is None else corrected,
            withdrawn=self.withdrawn_at is not None,
            in_review=not approved and bool(self.pk) and self.workflow_in_progress,
        )

    def public_data(self, lookup: dict, now: datetime) -> dict:
        """Everything the read API publishes of this notice, in one dict (the bulk export)."""
        return {
            "id": self.pk,
            "title": self.title,
            "slug": self.slug,
            "first_published_at": self.first_published_at,
            "last_published_at": self.last_published_at,
            "notice_number": self.notice_number,
            "introduction": self.introduction,
            "window": self.window_at(now),
            "handling_body": self.handling_body,
            "objection_contact": self.objection_contact,
            "public_items": self.public_items_with(lookup),
            "corrects_summary": self.corrects_summary,
            "correction_note": self.correction_note,
            "corrected_by_summary": self.corrected_by_summary,
            "withdrawal": self.withdrawal,
            "finalised_on": self.finalised_on,
            "record_data": self.record_data,
        }

    def state_at(
        self, at: datetime | None = None, *, corrected: bool | None = None
    ) -> rules.NoticeState:
        """The state at ``at`` (now by default); ``corrected`` as for :meth:`facts`."""
        return rules.state_at(self.facts(corrected=corrected), at or timezone.now())

    def save(self, *args, **kwargs):
        if self._state.adding and self.live and self.first_published_at is None:
            # A notice is never created live: it goes live only through publish() and its guards.
            self.live = False
        return super().save(*args, **kwargs)

    def gate_publish_errors(self, now, *, was_published: bool) -> list:
        return publish_errors(self, now, was_published=was_published)

    def publish(self, revision, *args, **kwargs):
        """Publishing through a revision (workflow, scheduler, shell) passes the guards here,
        before Wagtail writes anything; the gate in ``save`` catches every other path.

        A revision approved for a later go-live is checked again when it goes live: a start
        date that has passed by then refuses it (the scheduler flags it for re-approval first).
        """
        ensure_publishable(
            revision.as_object(), timezone.now(), was_published=self.first_published_at is not None
        )
        return super().publish(revision, *args, **kwargs)

    def save_revision(self, *args, **kwargs):
        """An edit after a missed go-live (its date checked by the form) clears the flag."""
        if self.reapproval_reason and self.pk:
            DecisionNoticePage.objects.filter(pk=self.pk).update(reapproval_reason="")
            self.reapproval_reason = ""
        return super().save_revision(*args, **kwargs)

    def with_content_json(self, content):
        """A revision carries the content; withdrawal, finalisation and correction links stay
        as the row holds them, whichever revision is published or reverted to."""
        page = super().with_content_json(content)
        for name in self.ROW_STATE_FIELDS:
            setattr(page, name, getattr(self, name))
        return page

    def item_facts(self) -> list[rules.ItemFacts]:
        return [item.facts() for item in self.items.all()]

    def programmes(self) -> list[str]:
        return [item.programme for item in self.items.all()]

    def clean(self):
        super().clean()
        if self.publicity_start:
            # The page goes live at 00:00 Asia/Shanghai on the first day of its window.
            self.go_live_at = self.publicity_window.opens_at
            self.expire_at = None

    # --- read API ------------------------------------------------------------------------

    @property
    def window(self) -> dict:
        return self.window_at(timezone.now())

    def window_at(self, now: datetime) -> dict:
        window = self.publicity_window
        state = self.state_at(now)
        return {
            "start_date": window.start_date.isoformat(),
            "end_date": window.end_date.isoformat(),
            "opens_at": window.opens_at.isoformat(),
            "closes_at": window.closes_at.isoformat(),
            "days": window.days,
            "phase": window.phase(now).value,
            "days_left": window.days_left(now),
            "label": window.label,
            "label_en": window.label_en,
            "state": state.value,
            "state_label": state.label,
            "computed_at": now.isoformat(),
        }

    @property
    def handling_body(self) -> dict | None:
        try:
            body = handling_body_for(self.programmes())
        except GuardError:
            return None
        return {"code": body.value, "label": body.label, "label_en": body.label_en}

    @property
    def objection_contact(self) -> dict:
        return {
            "office": self.contact_office,
            "phone": self.contact_phone,
            "email": self.contact_email,
            "address": self.contact_address,
        }

    @property
    def public_items(self) -> list[dict]:
        return self.public_items_with(clause_lookup(self.get_parent().specific))

    def public_items_with(self, lookup: dict) -> list[dict]:
        return [item_public_data(item, lookup) for item in self.items.all()]

    @property
    def corrects_summary(self) -> dict | None:
        return notice_summary(self.corrects) if self.corrects_id else None

    @property
    def corrected_by_summary(self) -> list[dict]:
        return [notice_summary(page) for page in self.live_corrections()]

    @property
    def withdrawal(self) -> dict | None:
        if self.withdrawn_at is None:
            return None
        return {"withdrawn_at": self.withdrawn_at.isoformat(), "reason": self.withdrawal_reason}

    @property
    def record_data(self) -> dict:
        return record_data(self)

    @property
    def objection_counts(self) -> dict[str, int]:
        """How many objections the notice received and how many were upheld (counts only)."""
        found = objection_counts(DecisionNoticePage.objects.filter(pk=self.pk))
        return found.get(self.pk) or no_objections()

    @property
    def finalised_on(self) -> str | None:
        if self.finalised_at is None:
            return None
        return local_date(self.finalised_at).isoformat()


class CollectiveDecisionTask(GroupApprovalTask):
    """集体审定: approval by the 审定 group that refuses what the policy's guards forbid."""

    def on_action(self, task_state, user, action_name, **kwargs):
        if action_name == "approve":
            notice = task_state.revision.as_object()
            if isinstance(notice, DecisionNoticePage):
                ensure_publishable(notice, timezone.now())
        return super().on_action(task_state, user, action_name, **kwargs)

    @classmethod
    def get_description(cls):
        return _("审定组成员集体审定；不符合容错免责规则的公告不能通过。")

    class Meta:
        verbose_name = _("集体审定")
        verbose_name_plural = _("集体审定")
