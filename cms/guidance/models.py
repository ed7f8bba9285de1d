"""The guidance page (申报指南) and its FAQ (常见问题): structured, editable content.

Clause codes are stored as codes; their labels and anchors come from :mod:`cms.domain.clauses`
and the clause texts from the live policy page, when read. The publicity window's length comes
from settings (``PUBLICITY_DAYS``), never from the page's text.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, PageChooserPanel
from wagtail.api import APIField
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.rich_text import expand_db_html
from wagtail.search import index

from cms.core.models import HeadlessPage
from cms.domain.clauses import Clause, get_exclusion, get_ground
from cms.domain.programmes import HandlingBody, Programme, handling_body_for
from cms.policies.outline import Passage, passages
from common.addresses import FAQ_PATH, GUIDANCE_PATH

from . import blocks

#: The single-text passages of the guidance page, each with the anchor it quotes.
PASSAGES = (
    ("deadline", _("申请时限与途径")),
    ("handling_note", _("受理部门")),
    ("exemption_effect", _("免责的效果")),
    ("after_exemption", _("免责后的义务")),
)


def _anchor_field(help_text=blocks.ANCHOR_HELP):
    return models.CharField(_("依据条款"), max_length=20, blank=True, help_text=help_text)


class GuidancePage(HeadlessPage):
    """申报指南: who may apply, on what grounds, with what, how, to whom, and what follows."""

    policy = models.ForeignKey(
        "policies.PolicyPage",
        verbose_name=_("依据的政策文件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    introduction = models.TextField(_("导语"), blank=True)
    scope_conditions = StreamField(
        [("condition", blocks.ConditionBlock())], verbose_name=_("适用主体及范围"), blank=True
    )
    ground_codes = StreamField(
        [("ground", blocks.GroundBlock())], verbose_name=_("适用情形"), blank=True
    )
    exclusion_codes = StreamField(
        [("exclusion", blocks.ExclusionBlock())], verbose_name=_("不适用情形"), blank=True
    )
    checklist = StreamField(
        [("material", blocks.MaterialBlock())], verbose_name=_("申报材料清单"), blank=True
    )
    deadline = models.TextField(_("申请时限与途径"), blank=True)
    deadline_anchor = _anchor_field()
    procedure = StreamField([("step", blocks.StepBlock())], verbose_name=_("认定程序"), blank=True)
    handling_note = models.TextField(_("受理部门说明"), blank=True)
    handling_note_anchor = _anchor_field()
    exemption_effect = models.TextField(_("免责的效果"), blank=True)
    exemption_effect_anchor = _anchor_field()
    after_exemption = models.TextField(_("免责后的义务（失败经验总结）"), blank=True)
    after_exemption_anchor = _anchor_field()
    contact_list = StreamField(
        [("contact", blocks.ContactBlock())], verbose_name=_("联系方式"), blank=True
    )
    form_downloads = StreamField(
        [("form", blocks.FormDownloadBlock())], verbose_name=_("表格下载"), blank=True
    )

    content_panels = [
        *Page.content_panels,
        PageChooserPanel("policy", "policies.PolicyPage"),
        FieldPanel("introduction"),
        FieldPanel("scope_conditions"),
        FieldPanel("ground_codes"),
        FieldPanel("exclusion_codes"),
        FieldPanel("checklist"),
        MultiFieldPanel(
            [FieldPanel("deadline"), FieldPanel("deadline_anchor")], heading=_("申请时限与途径")
        ),
        FieldPanel("procedure"),
        MultiFieldPanel(
            [FieldPanel("handling_note"), FieldPanel("handling_note_anchor")],
            heading=_("受理部门"),
        ),
        MultiFieldPanel(
            [FieldPanel("exemption_effect"), FieldPanel("exemption_effect_anchor")],
            heading=_("免责的效果"),
        ),
        MultiFieldPanel(
            [FieldPanel("after_exemption"), FieldPanel("after_exemption_anchor")],
            heading=_("免责后的义务"),
        ),
        FieldPanel("contact_list"),
        FieldPanel("form_downloads"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("introduction"),
        index.SearchField("deadline"),
        index.SearchField("exemption_effect"),
        index.SearchField("after_exemption"),
    ]
    api_fields = [
        APIField("policy_summary"),
        APIField("introduction"),
        APIField("scope"),
        APIField("grounds"),
        APIField("exclusions"),
        APIField("materials"),
        APIField("deadline_info"),
        APIField("steps"),
        APIField("publicity_days"),
        APIField("handling"),
        APIField("exemption_effect_info"),
        APIField("after_exemption_info"),
        APIField("contacts"),
        APIField("forms"),
    ]
    parent_page_types = ["core.HomePage"]
    subpage_types = ["guidance.FaqPage"]
    max_count = 1
    portal_path = GUIDANCE_PATH
    slug_prefix = "guidance"

    class Meta:
        verbose_name = _("申报指南")
        verbose_name_plural = _("申报指南")

    # --- the policy and its clauses ---------------------------------------------------------

    def policy_passages(self) -> dict[str, Passage]:
        """The live policy's sections, sub-sections and clauses by anchor ({} without one)."""
        cached = getattr(self, "_passages", None)
        if cached is None or cached[0] != self.policy_id:
            policy = self.policy
            live = policy is not None and policy.live
            cached = (self.policy_id, passages(policy.outline) if live else {})
            self._passages = cached
        return cached[1]

    def reference(self, anchor: str) -> dict[str, str] | None:
        """An anchor with its clause reference (二（一）), heading and text; None if blank."""
        if not anchor:
            return None
        passage = self.policy_passages().get(anchor)
        if passage is None:
            return {"anchor": anchor, "clause_ref": "", "heading": "", "text": ""}
        return passage.as_dict()

    @property
    def policy_summary(self) -> dict[str, Any] | None:
        policy = self.policy
        if policy is None or not policy.live:
            return None
        return {
            "id": policy.pk,
            "title": policy.title,
            "slug": policy.slug,
            "status_label": policy.status_label,
            "issuing_body": policy.issuing_body,
        }

    def _clause(self, clause: Clause, note: str) -> dict[str, Any]:
        passage = self.policy_passages().get(clause.anchor)
        return {**clause.as_dict(), "text": passage.text if passage else "", "note": note or ""}

    # --- what the API publishes -------------------------------------------------------------

    @property
    def scope(self) -> list[dict[str, Any]]:
        return [
            {"text": b.value["text"], "reference": self.reference(b.value["anchor"])}
            for b in self.scope_conditions
        ]

    @property
    def grounds(self) -> list[dict[str, Any]]:
        return [
            self._clause(get_ground(b.value["code"]), b.value["note"]) for b in self.ground_codes
        ]

    @property
    def exclusions(self) -> list[dict[str, Any]]:
        return [
            self._clause(get_exclusion(b.value["code"]), b.value["note"])
            for b in self.exclusion_codes
        ]

    def materials_list(self) -> list[dict[str, str]]:
        """The materials to hand in, in order: ``[{"name": ..., "note": ...}]``."""
        return [{"name": b.value["name"], "note": b.value["note"] or ""} for b in self.checklist]

    @property
    def materials(self) -> list[dict[str, str]]:
        return self.materials_list()

    @property
    def publicity_days(self) -> int:
        return settings.PUBLICITY_DAYS

    @property
    def steps(self) -> list[dict[str, Any]]:
        return [
            {
                "title": b.value["title"],
                "text": b.value["text"],
                "reference": self.reference(b.value["anchor"]),
                "days": self.publicity_days if b.value["publicity"] else None,
            }
            for b in self.procedure
        ]

    def _passage(self, name: str) -> dict[str, Any]:
        return {
            "text": getattr(self, name),
            "reference": self.reference(getattr(self, f"{name}_anchor")),
        }

    @property
    def deadline_info(self) -> dict[str, Any]:
        return self._passage("deadline")

    @property
    def exemption_effect_info(self) -> dict[str, Any]:
        return self._passage("exemption_effect")

    @property
    def after_exemption_info(self) -> dict[str, Any]:
        return self._passage("after_exemption")

    @property
    def handling(self) -> dict[str, Any]:
        """Who handles which programme (rules.handling_body_for), with the policy's note."""
        programmes = [
            {
                "programme": p.value,
                "programme_label": p.label,
                "body": (body := handling_body_for([p])).value,
                "body_label": body.label,
            }
            for p in Programme
        ]
        return {
            "programmes": programmes,
            "bodies": [{"body": b.value, "label": b.label} for b in HandlingBody],
            **self._passage("handling_note"),
        }

    @property
    def contacts(self) -> list[dict[str, str]]:
        keys = ("name", "handles", "phone", "email", "address")
        return [{k: b.value[k] or "" for k in keys} for b in self.contact_list]

    @property
    def forms(self) -> list[dict[str, Any]]:
        base = getattr(settings, "WAGTAILAPI_BASE_URL", "") or settings.CMS_BASE_URL
        found = []
        for b in self.form_downloads:
            document = b.value["document"]
            if document is None:
                continue
            found.append(
                {
                    "title": b.value["title"],
                    "note": b.value["note"] or "",
                    "url": base.rstrip("/") + document.url,
                    "filename": document.filename,
                    "file_extension": document.file_extension,
                }
            )
        return found

    # --- validation -------------------------------------------------------------------------

    def clean(self):
        super().clean()
        errors: dict[str, list] = {}
        if self.policy_id is None:
            errors["policy"] = [_("请选择申报指南依据的政策文件。")]
        known = self.policy_passages() if self.policy_id else {}

        def check(field: str, anchor: str) -> None:
            if anchor and known and anchor not in known:
                errors.setdefault(field, []).append(
                    _("政策文件中没有锚点“%(anchor)s”。") % {"anchor": anchor}
                )

        for block in self.scope_conditions:
            check("scope_conditions", block.value["anchor"])
        for block in self.procedure:
            check("procedure", block.value["anchor"])
        for name, _label in PASSAGES:
            check(f"{name}_anchor", getattr(self, f"{name}_anchor"))
        for field, stream in (
            ("ground_codes", self.ground_codes),
            ("exclusion_codes", self.exclusion_codes),
        ):
            codes = [b.value["code"] for b in stream]
            if len(codes) != len(set(codes)):
                errors.setdefault(field, []).append(_("同一代码只能列出一次。"))
        if sum(1 for b in self.procedure if b.value["publicity"]) > 1:
            errors.setdefault("procedure", []).append(_("只能有一个步骤标为公示步骤。"))
        if errors:
            raise ValidationError(errors)


class FaqPage(HeadlessPage):
    """常见问题: questions and answers that editors add, reorder and edit."""

    introduction = models.TextField(_("导语"), blank=True)
    entries = StreamField(
        [("question", blocks.QuestionBlock())], verbose_name=_("问答"), blank=True
    )

    content_panels = [*Page.content_panels, FieldPanel("introduction"), FieldPanel("entries")]
    search_fields = [*Page.search_fields, index.SearchField("entries")]
    api_fields = [APIField("introduction"), APIField("questions")]
    parent_page_types = ["guidance.GuidancePage"]
    subpage_types: list[str] = []
    max_count = 1
    portal_path = FAQ_PATH
    slug_prefix = "faq"

    class Meta:
        verbose_name = _("常见问题")
        verbose_name_plural = _("常见问题")

    def guidance(self) -> GuidancePage | None:
        parent = self.get_parent()
        return parent.specific if parent is not None else None

    @property
    def questions(self) -> list[dict[str, Any]]:
        guidance = self.guidance() if self.pk else None
        found = []
        for b in self.entries:
            anchor = b.value["anchor"] or ""
            found.append(
                {
                    "question": b.value["question"],
                    "answer": expand_db_html(b.value["answer"].source),
                    "reference": guidance.reference(anchor) if guidance else None,
                }
            )
        return found

    def clean(self):
        super().clean()
        parent = self.get_parent() if self.pk else None
        guidance = parent.specific if parent is not None else None
        known = guidance.policy_passages() if isinstance(guidance, GuidancePage) else {}
        unknown = [
            b.value["anchor"]
            for b in self.entries
            if b.value["anchor"] and known and b.value["anchor"] not in known
        ]
        if unknown:
            raise ValidationError(
                {
                    "entries": _("政策文件中没有锚点：%(anchors)s。")
                    % {"anchors": "、".join(unknown)}
                }
            )
