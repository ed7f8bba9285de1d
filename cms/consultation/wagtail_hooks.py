"""Comments in the admin, for editors: a list per policy and state, the detail (identity only
with ``view_commenter_details``, every such view logged) and the handling screen with the answer
form (cms.consultation.admin_views)."""

from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from cms.core.audit import register_log_actions
from cms.submissions.admin_views import PublicSubmissionPermissionPolicy

from .admin_views import AnswerCommentView, CommentInspectView
from .forms import CommentAnswerForm
from .models import PolicyComment

LOG_ACTIONS = {
    "consultation.answer": ("答复意见", "已答复意见"),
    "consultation.view_details": ("查看意见提出人信息", "查看了意见提出人信息"),
    "consultation.purge": ("清除意见提出人信息", "已按保存期限清除意见提出人信息"),
}

register_permission_policy(PolicyComment, PublicSubmissionPermissionPolicy(PolicyComment))


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
