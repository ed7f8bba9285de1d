from django.urls import path

from .views import CommentCreateView, CommentStatusView

urlpatterns = [
    path("policy-comments/", CommentCreateView.as_view(), name="policy_comments_create"),
    path("policy-comments/status/", CommentStatusView.as_view(), name="policy_comments_status"),
]
