"""Decision items (认定事项), the projects a decision notice puts on publicity, and the exemption
marks (免责标注) recorded for them once the result is final.

Defined apart from the notice page and registered with the app through :mod:`cms.notices.models`.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.models import Orderable

from cms.domain.clauses import EXCLUSIONS, GROUNDS, REJECTION_REASONS, Decision
from cms.domain.programmes import Programme

from . import rules
from .fields import CodeListField
from .panels import ItemFieldPanel, ItemFieldRowPanel, ItemMultiFieldPanel

GROUND_CHOICES = [(c.code, f"{c.code} {c.label}") for c in GROUNDS.values()]
# X1–X4 are the policy's own codes, shown with their labels; the other reasons' codes are for
# machines (``out_of_scope``), so editors see the label alone.
REASON_CHOICES = [
    (c.code, f"{c.code} {c.label}" if c.code in EXCLUSIONS else c.label)
    for c in REJECTION_REASONS.values()
]


class DecisionItem(Orderable):
    """认定事项: one project's decision. The expert panel record is stored, never published."""

    notice = ParentalKey(
        "notices.DecisionNoticePage", on_delete=models.CASCADE, related_name="items"
    )
    project_code = models.CharField(_("项目编号"), max_length=64)
    project_name = models.CharField(_("项目名称"), max_length=200)
    programme = models.CharField(_("计划类别"), max_length=32, choices=Programme.choices())
    undertaking_unit = models.CharField(_("项目承担单位"), max_length=200)
    project_leader = models.CharField(_("项目负责人"), max_length=50, help_text=_("仅姓名"))
    decision = models.CharField(_("认定结论"), max_length=16, choices=Decision.choices())
    grounds = CodeListField(
        _("适用情形"), code_choices=GROUND_CHOICES, help_text=_("予以免责时至少选择一项。")
    )
    reasons = CodeListField(
        _("不予认定理由"), code_choices=REASON_CHOICES, help_text=_("不予认定时至少选择一项。")
    )
    explanation = models.TextField(_("理由说明"), blank=True)
    panel_size = models.PositiveSmallIntegerField(_("专家组人数"), null=True, blank=True)
    technical_members = models.PositiveSmallIntegerField(_("技术专家人数"), null=True, blank=True)
    financial_members = models.PositiveSmallIntegerField(_("财务专家人数"), null=True, blank=True)

    # Drawn in Python: these panels repeat once per item on the notice's edit page.
    panels = [
        ItemFieldRowPanel([ItemFieldPanel("project_code"), ItemFieldPanel("programme")]),
        ItemFieldPanel("project_name"),
        ItemFieldRowPanel([ItemFieldPanel("undertaking_unit"), ItemFieldPanel("project_leader")]),
        ItemFieldPanel("decision"),
        ItemFieldPanel("grounds"),
        ItemFieldPanel("reasons"),
        ItemFieldPanel("explanation"),
        ItemMultiFieldPanel(
            [
                ItemFieldRowPanel(
                    [
                        ItemFieldPanel("panel_size"),
                        ItemFieldPanel("technical_members"),
                        ItemFieldPanel("financial_members"),
                    ]
                )
            ],
            heading=_("专家组（仅内部记录，不公开）"),
        ),
    ]

    class Meta(Orderable.Meta):
        # Items added outside the admin's formset have no sort order; the pk breaks ties so
        # every reader (page, read API, record) lists them in one order on every database.
        ordering = ["sort_order", "pk"]
        verbose_name = _("认定事项")
        verbose_name_plural = _("认定事项")

    def __str__(self):
        return f"{self.project_code} {self.project_name}"

    def facts(self) -> rules.ItemFacts:
        return rules.ItemFacts(
            label=self.project_code,
            decision=self.decision,
            grounds=tuple(self.grounds or ()),
            reasons=tuple(self.reasons or ()),
            explanation=self.explanation,
            panel_size=self.panel_size,
            technical_members=self.technical_members,
            financial_members=self.financial_members,
        )

    def clean(self):
        super().clean()
        if not self.decision:
            return
        errors: dict[str, list[str]] = {}
        for error in rules.check_item(self.facts()):
            errors.setdefault(error.field or "decision", []).append(error.message)
        if errors:
            raise ValidationError(errors)


class ExemptionMark(models.Model):
    """免责标注: what the provincial project management system is told once a result is final."""

    notice = models.ForeignKey(
        "notices.DecisionNoticePage",
        on_delete=models.PROTECT,
        related_name="marks",
        verbose_name=_("公告"),
    )
    notice_number = models.CharField(_("公告编号"), max_length=64)
    project_code = models.CharField(_("项目编号"), max_length=64)
    decision = models.CharField(_("认定结论"), max_length=16, choices=Decision.choices())
    decision_date = models.DateField(_("认定日期"))
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("免责标注")
        verbose_name_plural = _("免责标注")
        ordering = ["-decision_date", "project_code"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "project_code"], name="unique_mark_per_item")
        ]

    def __str__(self):
        return f"{self.project_code} {self.get_decision_display()}"
