"""The failure-lessons library (失败经验总结): de-identified failure reports and their index.

Policy section 四（二）: researchers whose project was exempted analyse why it failed and report
in writing; the department assesses the failed project's scientific value for later research.
Editors publish the reports here once they are de-identified (:mod:`cms.lessons.rules`).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, PageChooserPanel
from wagtail.api import APIField
from wagtail.models import Page
from wagtail.search import index

from cms.core.models import HeadlessPage
from cms.domain.dates import local_date
from cms.domain.errors import GuardError
from cms.domain.programmes import Programme
from cms.notices.guards import NoticeGuardError
from cms.notices.publication import notice_summary
from common.addresses import LESSONS_PATH, RESERVED_LESSON_SEGMENTS, lesson_path
from common.cleaning import clean_text

from . import rules
from .forms import LessonPageForm
from .texts import TEXT_FIELDS, identifiers_of

EARLIEST_YEAR = 1990
#: The report's own text (stored as plain text, without markup).
BODY_FIELDS = (
    "field_of_study", "summary", "approach", "failure_analysis", "lessons", "scientific_value",
)  # fmt: skip


class LessonIndexPage(HeadlessPage):
    """失败经验总结栏目: the parent of every failure report."""

    introduction = models.TextField(_("导语"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    api_fields = [APIField("introduction")]
    parent_page_types = ["core.HomePage"]
    subpage_types = ["lessons.LessonPage"]
    max_count = 1
    portal_path = LESSONS_PATH
    slug_prefix = "lessons"

    class Meta:
        verbose_name = _("失败经验总结栏目")
        verbose_name_plural = _("失败经验总结栏目")


class LessonPage(HeadlessPage):
    """失败经验总结: one exempted project's failure report, de-identified, with the department's
    assessment of its scientific value."""

    field_of_study = models.CharField(
        _("学科领域"), max_length=100, help_text=_("如：材料科学、生物医药、集成电路。")
    )
    programme = models.CharField(_("计划类别"), max_length=32, choices=Programme.choices())
    start_year = models.PositiveSmallIntegerField(_("项目起始年份"))
    end_year = models.PositiveSmallIntegerField(_("项目终止年份"))
    summary = models.TextField(
        _("摘要"), max_length=300, help_text=_("列表和订阅源中显示，300字以内。")
    )
    approach = models.TextField(_("技术路线与尝试"))
    failure_analysis = models.TextField(_("失败原因分析"))
    lessons = models.TextField(_("经验与启示"))
    scientific_value = models.TextField(
        _("科学价值评估"), help_text=_("省科技厅对失败科技计划项目科学价值的评估。")
    )
    related_notice = models.ForeignKey(
        "notices.DecisionNoticePage",
        verbose_name=_("相关决定公告"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lessons",
        help_text=_(
            "可选。门户上链接到该公告；该公告所列的项目负责人、承担单位和项目编号不得出现在本报告中。"
        ),
    )

    slug_prefix = "lesson"
    reserved_slugs = RESERVED_LESSON_SEGMENTS  # portal paths right under lessons/
    base_form_class = LessonPageForm
    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("field_of_study"), FieldPanel("programme")]),
                FieldRowPanel([FieldPanel("start_year"), FieldPanel("end_year")]),
                PageChooserPanel("related_notice", "notices.DecisionNoticePage"),
            ],
            heading=_("项目概况（已脱敏）"),
        ),
        FieldPanel("summary"),
        FieldPanel("approach"),
        FieldPanel("failure_analysis"),
        FieldPanel("lessons"),
        FieldPanel("scientific_value"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("field_of_study"),
        index.SearchField("summary"),
        index.SearchField("approach"),
        index.SearchField("failure_analysis"),
        index.SearchField("lessons"),
        index.SearchField("scientific_value"),
        index.FilterField("programme"),
    ]
    api_fields = [
        APIField("last_published_at"),
        APIField("field_of_study"),
        APIField("programme"),
        APIField("programme_label"),
        APIField("start_year"),
        APIField("end_year"),
        APIField("summary"),
        APIField("approach"),
        APIField("failure_analysis"),
        APIField("lessons"),
        APIField("scientific_value"),
        APIField("related_notice_summary"),
    ]
    parent_page_types = ["lessons.LessonIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("失败经验总结")
        verbose_name_plural = _("失败经验总结")

    def portal_address(self) -> str:
        return lesson_path(self.slug, self.id)

    # --- de-identification -------------------------------------------------------------------

    def texts(self) -> dict[str, str]:
        return {name: getattr(self, name) or "" for name in TEXT_FIELDS}

    def identifiers(self) -> rules.Identifiers:
        return identifiers_of(self.related_notice)

    def deidentification_errors(self) -> list[GuardError]:
        return rules.check_deidentified(self.texts(), self.identifiers())

    def clean_texts(self) -> None:
        """The report is plain text: any markup pasted into it is removed before it is stored, so
        the read API never hands out HTML (the portal escapes the text on output)."""
        for name in BODY_FIELDS:
            value = getattr(self, name)
            if value:
                setattr(self, name, clean_text(value).strip())

    def save(self, *args, **kwargs):
        self.clean_texts()
        if self._state.adding and self.live and self.first_published_at is None:
            # A report is never created live: it goes live only through publish() and its guard.
            self.live = False
        return super().save(*args, **kwargs)

    def gate_publish_errors(self, now, *, was_published: bool) -> list:
        """De-identification, on every path to publishing (cms/core/gate.py)."""
        return self.deidentification_errors()

    def publish(self, revision, *args, **kwargs):
        """Publishing through a revision is refused before Wagtail writes anything."""
        if errors := revision.as_object().deidentification_errors():
            raise NoticeGuardError(errors)
        return super().publish(revision, *args, **kwargs)

    def clean(self):
        super().clean()
        self.clean_texts()
        errors: dict[str, list[str]] = {}
        this_year = local_date(timezone.now()).year
        for name in ("start_year", "end_year"):
            year = getattr(self, name)
            if year is not None and not EARLIEST_YEAR <= year <= this_year + 1:
                errors.setdefault(name, []).append(
                    _("年份应在%(first)s年至%(last)s年之间。")
                    % {"first": EARLIEST_YEAR, "last": this_year + 1}
                )
        if self.start_year and self.end_year and self.end_year < self.start_year:
            errors.setdefault("end_year", []).append(_("终止年份不能早于起始年份。"))
        if errors:
            raise ValidationError(errors)

    # --- read API ------------------------------------------------------------------------

    @property
    def programme_label(self) -> str:
        return Programme(self.programme).label

    @property
    def related_notice_summary(self) -> dict | None:
        """The related notice, only while it is live (and so on the portal): never its items."""
        notice = self.related_notice
        if notice is None or not notice.live:
            return None
        return notice_summary(notice)
