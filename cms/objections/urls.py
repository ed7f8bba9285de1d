from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from .views import ObjectionCreateView, ObjectionStatusView

urlpatterns = [
    path("objections/", ObjectionCreateView.as_view(), name="objections_create"),
    path("objections/status/", ObjectionStatusView.as_view(), name="objections_status"),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
]
