"""The admin views every kind of public submission shares: the handling screen (the submission,
what it concerns, its history and the answer form on one page) and the detail, both showing the
submitter's identity only to staff with the kind's details permission, every such view logged.
Each app registers its own models and views in its ``wagtail_hooks``; nothing is registered here.

Every time is shown in Asia/Shanghai (TIME_ZONE), whatever zone an admin user chose."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.functional import cached_property
from wagtail.admin.ui.components import MediaContainer
from wagtail.admin.views import generic
from wagtail.log_actions import log
from wagtail.log_actions import registry as log_registry
from wagtail.permission_policies import ModelPermissionPolicy

from cms.domain.dates import format_date_zh
from cms.domain.labels import LabelledEnum

from .models import PERSONAL_FIELDS, PublicSubmission
from .rules import ObjectorType


class PublicSubmissionPermissionPolicy(ModelPermissionPolicy):
    """Submissions come only from the public: nobody adds or deletes them in the admin."""

    def user_has_permission(self, user, action):
        if action in ("add", "delete"):
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


# --- what the screens show -------------------------------------------------------------------


def local_time_text(at: datetime | None) -> str:
    """An instant as staff read it, in TIME_ZONE (Asia/Shanghai): '2026年12月7日 07:19'; ''
    for none."""
    if at is None:
        return ""
    local = timezone.localtime(at, ZoneInfo(settings.TIME_ZONE))
    return f"{format_date_zh(local.date())} {local:%H:%M}"


def person_name(user) -> str:
    """A member of staff as the admin names them: full name, else user name."""
    if user is None:
        return ""
    return (user.get_full_name() or "").strip() or user.get_username()


def field_label(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


@dataclass(frozen=True)
class Link:
    text: str
    url: str


@dataclass(frozen=True)
class Row:
    """One line of a summary: a label, its text (line breaks kept) and links beside it."""

    label: str
    value: str
    links: tuple[Link, ...] = ()


@dataclass(frozen=True)
class Section:
    heading: str
    rows: tuple[Row, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class HistoryEntry:
    at: str
    what: str
    who: str


class SubmissionSummaryMixin:
    """What the handling screen and the detail show of a public submission: the submission (the
    submitter's identity only with ``details_permission``, each showing logged as
    ``details_log_action``), what it concerns (``subject_sections``), the answer, and the
    history from the audit log. Subclasses name the kind in ``noun`` and ``submitter``."""

    details_permission: str
    details_log_action: str
    noun: str  # 异议, 意见
    submitter: str  # 异议人, 意见提出人
    type_field: str  # objector_type, commenter_type
    outcome_choices: type[LabelledEnum]
    unanswered_outcome = "尚未答复"

    @cached_property
    def shows_personal_data(self) -> bool:
        return self.request.user.has_perm(self.details_permission)

    def subject_sections(self) -> list[Section]:
        """What the submission concerns (an item and its notice; a policy and its clauses)."""
        raise NotImplementedError

    def submission_section(self) -> Section:
        record: PublicSubmission = self.object
        model = type(record)
        rows = [
            Row(field_label(model, "receipt_number"), record.receipt_number),
            Row(field_label(model, "created_at"), local_time_text(record.created_at)),
            Row(field_label(model, "status"), record.get_status_display()),
            Row(field_label(model, self.type_field),
                ObjectorType(getattr(record, self.type_field)).label),
        ]  # fmt: skip
        notes = []
        if record.personal_data_purged_at:
            purged = local_time_text(record.personal_data_purged_at)
            notes.append(f"{self.submitter}的身份和联系方式已于{purged}按保存期限清除。")
        elif self.shows_personal_data:
            rows += [
                Row(field_label(model, name), getattr(record, name))
                for name in PERSONAL_FIELDS
                if getattr(record, name)
            ]
        else:
            notes.append(f"{self.submitter}的身份和联系方式仅向有权查看的人员显示。")
        rows.append(Row(field_label(model, "content"), record.content))
        return Section(f"{self.noun}内容", tuple(rows), tuple(notes))

    def answer_rows(self, *, with_texts: bool) -> list[Row]:
        """The outcome, when and by whom; with the texts themselves (the detail, which has no
        form showing them)."""
        record: PublicSubmission = self.object
        model = type(record)
        if not record.is_answered:
            return [
                Row(field_label(model, "outcome"), self.unanswered_outcome),
                Row(field_label(model, "answered_at"), "未答复"),
            ]
        outcome = self.outcome_choices(record.outcome).label if record.outcome else ""
        rows = [
            Row(field_label(model, "outcome"), outcome),
            Row(field_label(model, "answered_at"), local_time_text(record.answered_at)),
            Row(field_label(model, "answered_by"), person_name(record.answered_by) or "—"),
        ]
        if with_texts:
            rows.append(Row(field_label(model, "answer"), record.answer))
        return rows

    def history(self) -> list[HistoryEntry]:
        """The submission's receipt, then every change the audit log records, oldest first
        (views of the submitter's identity are kept in the audit log, not listed here)."""
        record: PublicSubmission = self.object
        entries = [
            HistoryEntry(
                local_time_text(record.created_at),
                f"收到{self.noun}（门户网站提交，受理编号 {record.receipt_number}）",
                self.submitter,
            )
        ]
        logs = log_registry.get_logs_for_instance(record).exclude(action=self.details_log_action)
        for entry in logs.select_related("user").order_by("timestamp", "pk"):
            who = entry.user_display_name if entry.user_id else "系统（自动处理）"
            at = local_time_text(entry.timestamp)
            entries.append(HistoryEntry(at, self.history_text(entry), who))
        return entries

    def history_text(self, entry) -> str:
        text = str(entry.message)
        outcome = (entry.data or {}).get("outcome")
        if outcome in {choice.value for choice in self.outcome_choices}:
            text = f"{text}（{self.outcome_choices(outcome).label}）"
        return text

    def summary_context(self) -> dict:
        """The sections and history; a view that shows the submitter's identity is logged."""
        record: PublicSubmission = self.object
        if self.shows_personal_data and not record.personal_data_purged_at:
            log(instance=record, action=self.details_log_action, user=self.request.user)
        return {
            "sections": [self.submission_section(), *self.subject_sections()],
            "history": self.history(),
        }


class PersonalDataInspectView(SubmissionSummaryMixin, generic.InspectView):
    """The detail of a public submission, for staff who may read it: the summary, the answer
    with its texts, and the history."""

    template_name = "submissions/admin/inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.summary_context())
        answer = Section("答复", tuple(self.answer_rows(with_texts=True)))
        context["sections"] = [*context["sections"], answer]
        return context

    def get_fields(self):
        return []  # the summary above says it all


class HandlingView(SubmissionSummaryMixin, generic.EditView):
    """The handling screen: everything about the submission above the answer form. Subclasses
    say in ``answered_message`` what answering did."""

    template_name = "submissions/admin/handle.html"
    answer_heading = "答复"

    def get_page_subtitle(self):
        return f"{self.noun} {self.object.receipt_number}"

    def get_side_panels(self):
        return MediaContainer([])  # the status and history are on the screen itself

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.summary_context())
        context["answer_heading"] = self.answer_heading
        context["answer_rows"] = self.answer_rows(with_texts=False)
        return context

    def delivery_text(self, record: PublicSubmission) -> str:
        """How the submitter learns the answer: the address it will be mailed to (named only
        to those who may see it), or the lookup on the portal. The mail is queued, not yet sent
        (cms.outbox): the message says no more than that."""
        if not record.email:
            return f"{self.submitter}未留电子邮箱，可凭受理编号和查询码在门户网站查询答复。"
        if self.shows_personal_data:
            return f"答复将通过电子邮件发送至 {record.email}。"
        return f"答复将通过电子邮件发送给{self.submitter}。"
