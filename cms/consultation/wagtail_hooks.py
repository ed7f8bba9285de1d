"""Comments in the admin, for editors: a list per policy and state, the detail (identity only
with ``view_commenter_details``, every such view logged) and the answer form, on the views
every public submission shares (cms.submissions.admin_views)."""

from django.contrib import messages
from wagtail import hooks
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from cms.core.audit import register_log_actions
from cms.submissions.admin_views import PersonalDataInspectView, PublicSubmissionPermissionPolicy
from cms.submissions.models import PERSONAL_FIELDS

from . import services
from .forms import CommentAnswerForm
from .models import PolicyComment

DETAILS_PERMISSION = "consultation.view_commenter_details"
LOG_ACTIONS = {
    "consultation.answer": ("答复意见", "已答复意见"),
    "consultation.view_details": ("查看意见提出人信息", "查看了意见提出人信息"),
    "consultation.purge": ("清除意见提出人信息", "已按保存期限清除意见提出人信息"),
}

register_permission_policy(PolicyComment, PublicSubmissionPermissionPolicy(PolicyComment))


class CommentInspectView(PersonalDataInspectView):
    details_permission = DETAILS_PERMISSION
    details_log_action = "consultation.view_details"
    inspect_fields = [
        "receipt_number", "created_at", "policy", "commenter_type", *PERSONAL_FIELDS,
        "content", "status", "outcome", "answer", "answered_at", "answered_by",
        "personal_data_purged_at",
    ]  # fmt: skip


class AnswerCommentView(generic.EditView):
    def save_instance(self):
        comment = self.form.instance
        data = self.form.cleaned_data
        if data.get("outcome"):
            comment = services.answer_comment(
                comment, self.request.user, data["outcome"], data["answer"]
            )
            if comment.email:
                messages.success(self.request, "已答复，答复已通过电子邮件发送给意见提出人。")
            else:
                messages.success(self.request, "已答复。意见提出人未留电子邮箱，请以其他方式告知。")
            return comment
        return comment  # nothing chosen yet: nothing to record


class PolicyCommentViewSet(ModelViewSet):
    model = PolicyComment
    icon = "comment"
    menu_label = "征求意见"
    add_to_admin_menu = True
    menu_order = 170
    form_class = CommentAnswerForm
    list_display = ["receipt_number", "policy", "status", "outcome", "created_at"]
    list_filter = ["status", "outcome", "policy"]
    search_fields = ["receipt_number"]
    inspect_view_enabled = True
    inspect_view_class = CommentInspectView
    edit_view_class = AnswerCommentView
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return CommentAnswerForm


@hooks.register("register_admin_viewset")
def register_comment_viewset():
    return PolicyCommentViewSet("policy_comments")


register_log_actions(LOG_ACTIONS)
