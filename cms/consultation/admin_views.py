"""The comment handling screen and the detail: the comment, the draft policy and the clauses it
cites, the history and (on the handling screen) the answer form, on one page, on the views every
public submission shares (cms.submissions.admin_views)."""

from django.conf import settings
from django.contrib import messages
from django.urls import reverse

from cms.policies.models import PolicyPage
from cms.policies.outline import passages
from cms.submissions.admin_views import (
    HandlingView,
    Link,
    PersonalDataInspectView,
    Row,
    Section,
    SubmissionSummaryMixin,
    field_label,
)

from . import rules, services
from .models import PolicyComment

DETAILS_PERMISSION = "consultation.view_commenter_details"


def portal_url(policy: PolicyPage, anchor: str = "") -> str:
    return f"{settings.PORTAL_BASE_URL}/{policy.portal_address()}" + (
        f"#{anchor}" if anchor else ""
    )


def policy_section(comment: PolicyComment) -> Section:
    """The draft commented on, its comment period, and the clauses the comment cites (by their
    numbers, as the comment form asks: 二（三）3), each with its text and a link to it."""
    policy = comment.policy
    links = [Link("在后台打开政策文件", reverse("wagtailadmin_pages:edit", args=[policy.pk]))]
    if policy.live:
        links.append(Link("在门户网站查看", portal_url(policy)))
    rows = [Row(field_label(PolicyComment, "policy"), policy.title, tuple(links))]
    if policy.document_number:
        rows.append(Row(field_label(PolicyPage, "document_number"), policy.document_number))
    rows.append(Row(field_label(PolicyPage, "status"), policy.status_label))
    window = policy.comment_period
    if window is not None:
        dates = window.date_texts()
        rows.append(Row("征求意见期", f"{dates['start']}至{dates['end']}"))
    by_ref = {passage.clause_ref: passage for passage in passages(policy.outline).values()}
    cited = rules.cited_clauses(comment.content, by_ref)
    for ref in cited:
        passage = by_ref[ref]
        to_clause = (Link("在门户网站查看该条款", portal_url(policy, passage.anchor)),)
        text = f"{passage.heading}：{passage.text}" if passage.text else passage.heading
        rows.append(Row(f"所涉条款 {ref}", text, to_clause if policy.live else ()))
    if not cited:
        rows.append(Row("所涉条款", "意见中未注明条款编号（如“二（三）3”），请阅读意见内容。"))
    return Section("所涉政策文件和条款", tuple(rows))


class CommentSummaryMixin(SubmissionSummaryMixin):
    details_permission = DETAILS_PERMISSION
    details_log_action = "consultation.view_details"
    noun, submitter, type_field = "意见", "意见提出人", "commenter_type"
    outcome_choices = rules.CommentOutcome

    def subject_sections(self):
        return [policy_section(self.object)]


class CommentInspectView(CommentSummaryMixin, PersonalDataInspectView):
    pass


class AnswerCommentView(CommentSummaryMixin, HandlingView):
    """答复意见: how the comment was taken up and the answer, sent when saved."""

    page_title = "答复意见"
    result = ""  # what saving did: "answered", or "" when nothing was chosen

    def save_instance(self):
        comment = self.form.instance
        data = self.form.cleaned_data
        if not data.get("outcome"):  # nothing chosen yet: nothing to record
            messages.warning(
                self.request,
                f"意见 {comment.receipt_number} 未答复：未选择采纳情况，没有保存任何内容。",
            )
            return comment
        self.result = "answered"
        return services.answer_comment(comment, self.request.user, data["outcome"], data["answer"])

    def get_success_message(self):
        if self.result != "answered":
            return None
        comment = self.object
        outcome = rules.CommentOutcome(comment.outcome).label
        return f"已答复意见 {comment.receipt_number}：{outcome}。{self.delivery_text(comment)}"
