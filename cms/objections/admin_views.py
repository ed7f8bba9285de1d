"""The objection handling screen and the detail: the objection, the item and notice it concerns,
the evidence files, the history and (on the handling screen) the answer form, on one page, on
the views every public submission shares (cms.submissions.admin_views)."""

from django.conf import settings
from django.contrib import messages
from django.urls import reverse
from django.utils.html import format_html

from cms.domain.clauses import CLAUSES
from cms.notices.models import DecisionItem, DecisionNoticePage
from cms.submissions.admin_views import (
    HandlingView,
    Link,
    PersonalDataInspectView,
    Row,
    Section,
    SubmissionSummaryMixin,
    field_label,
)

from . import services
from .evidence import ACCEPTED_TYPES
from .models import Objection, ObjectionEvidence
from .rules import ObjectionStatus, Outcome

DETAILS_PERMISSION = "objections.view_objector_details"
TYPE_LABELS = {kind.extension: kind.label for kind in ACCEPTED_TYPES}


def size_text(size: int) -> str:
    """A file's size as people read it: '836 字节', '12.3 KB', '4.5 MB'."""
    if size < 1024:
        return f"{size} 字节"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def notice_links(notice: DecisionNoticePage) -> tuple[Link, ...]:
    """The notice in the admin, and on the portal once it is there."""
    links = [Link("在后台打开公告", reverse("wagtailadmin_pages:edit", args=[notice.pk]))]
    if notice.live:
        portal = f"{settings.PORTAL_BASE_URL}/{notice.portal_address()}"
        links.append(Link("在门户网站查看", portal))
    return tuple(links)


def codes_text(codes) -> str:
    return "；".join(f"{code} {CLAUSES[code].label}" if code in CLAUSES else code for code in codes)


def item_section(objection: Objection) -> Section:
    """The item objected to and its notice, as the notice published them."""
    notice, item = objection.notice, objection.item
    dates = notice.publicity_window.date_texts()
    rows = [
        Row(field_label(DecisionNoticePage, "notice_number"), notice.notice_number),
        Row("公告标题", notice.title, notice_links(notice)),
        Row("公示期", f"{dates['start']}至{dates['end']}（{notice.publicity_days}天）"),
        *(
            Row(field_label(DecisionItem, name), str(getattr(item, name)))
            for name in ("project_code", "project_name", "undertaking_unit", "project_leader")
        ),
        Row(field_label(DecisionItem, "decision"), item.get_decision_display()),
    ]
    if item.grounds:
        rows.append(Row(field_label(DecisionItem, "grounds"), codes_text(item.grounds)))
    if item.reasons:
        rows.append(Row(field_label(DecisionItem, "reasons"), codes_text(item.reasons)))
    if item.explanation:
        rows.append(Row(field_label(DecisionItem, "explanation"), item.explanation))
    return Section("所涉事项和公告", tuple(rows))


def evidence_section(objection: Objection, downloadable: bool) -> Section:
    """The evidence files: name, type and size, and a download link for those who may open
    them (the download checks that again, and logs it)."""
    heading = str(ObjectionEvidence._meta.verbose_name)
    files = list(objection.evidence.all())
    if not files:
        if objection.personal_data_purged_at:
            return Section(heading, notes=("证明材料已随异议人信息按保存期限删除。",))
        return Section(heading, notes=("异议人未提交证明材料。",))
    rows = tuple(
        Row(
            evidence.original_name,
            f"{TYPE_LABELS.get(evidence.extension, evidence.content_type)}，"
            f"{size_text(evidence.size)}",
            (Link("下载", reverse("objections_evidence", args=[evidence.pk])),)
            if downloadable
            else (),
        )
        for evidence in files
    )
    notes = () if downloadable else ("下载证明材料须有查看异议人身份和联系方式的权限。",)
    return Section(heading, rows, notes)


class ObjectionSummaryMixin(SubmissionSummaryMixin):
    details_permission = DETAILS_PERMISSION
    details_log_action = "objections.view_details"
    noun, submitter, type_field = "异议", "异议人", "objector_type"
    outcome_choices = Outcome
    unanswered_outcome = "尚未作出结论"

    def subject_sections(self):
        return [item_section(self.object), evidence_section(self.object, self.shows_personal_data)]

    def answer_rows(self, *, with_texts: bool):
        rows = super().answer_rows(with_texts=with_texts)
        if with_texts and self.object.investigation:
            rows.insert(0, Row(field_label(Objection, "investigation"), self.object.investigation))
        return rows


class ObjectionInspectView(ObjectionSummaryMixin, PersonalDataInspectView):
    pass


class HandleObjectionView(ObjectionSummaryMixin, HandlingView):
    """调查处理: record the investigation; with an outcome and an answer, answer the objector."""

    page_title = "处理异议"
    answer_heading = "调查处理"
    result = ""  # what saving did: "answered", "investigating" or "already_answered"

    def save_instance(self):
        objection = self.form.instance
        data = self.form.cleaned_data
        if data.get("outcome"):
            answer = data["outcome"], data["investigation"], data["answer"]
            try:
                objection, correction = services.answer_objection(
                    objection, self.request.user, *answer
                )
            except services.AlreadyAnswered:
                messages.error(self.request, "该异议已由他人答复，本次填写的内容未保存。")
                objection.refresh_from_db()
                self.result = "already_answered"
                return objection
            self.result = "answered"
            if correction is not None:
                url = reverse("wagtailadmin_pages:edit", args=[correction.pk])
                messages.warning(
                    self.request,
                    format_html(
                        '异议成立：已创建<a href="{}">更正公告草稿</a>，请修改后提交集体审定。', url
                    ),
                )
            return objection
        Objection.objects.filter(pk=objection.pk).update(investigation=data["investigation"])
        services.mark_investigating(objection, self.request.user)
        objection.refresh_from_db()
        self.result = "investigating"
        return objection

    def get_success_message(self):
        objection = self.object
        number = objection.receipt_number
        if self.result == "answered":
            outcome = Outcome(objection.outcome).label
            return f"已答复异议 {number}：{outcome}。{self.delivery_text(objection)}"
        if self.result == "investigating":
            status = ObjectionStatus(objection.status).label
            return f"已保存异议 {number} 的调查核实情况（处理状态：{status}），尚未答复异议人。"
        return None
