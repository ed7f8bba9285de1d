from django.urls import path, re_path

from .views import ConfirmView, ManageView, NotFoundView, SubscribeView, UnsubscribeView

urlpatterns = [
    path("alerts/subscriptions/", SubscribeView.as_view(), name="alerts_subscribe"),
    path("alerts/confirm/<str:token>/", ConfirmView.as_view(), name="alerts_confirm"),
    path("alerts/manage/<str:token>/", ManageView.as_view(), name="alerts_manage"),
    path("alerts/unsubscribe/<str:token>/", UnsubscribeView.as_view(), name="alerts_unsubscribe"),
    # A link cut short or with a slash in it: our 404, not the site's page.
    re_path(r"^alerts/(?:confirm|manage|unsubscribe)/", NotFoundView.as_view()),
]
