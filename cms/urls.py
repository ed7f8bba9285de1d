from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.api.v3.urls import api as wagtail_api_v3
from wagtail.documents import urls as wagtaildocs_urls

from cms.core.read_api import read_only_urls
from cms.core.site_api import router as site_router
from cms.core.views import health
from cms.guidance.eligibility_api import router as eligibility_router
from cms.notices.api import router as notices_router
from cms.notices.export_api import router as export_router
from cms.record.api import router as record_router

# Our own read endpoints join Wagtail's API before its URLs are built; /api/v3/ serves them and
# Wagtail's page reads, read-only and anonymously (cms.core.read_api).
OWN_ROUTERS = {
    "notices/": notices_router,
    "eligibility/": eligibility_router,
    "record/": record_router,
    "site/": site_router,  # the site's identity: every portal page's footer
    "export/": export_router,  # all of the above a portal build reads, in one answer
}
for prefix, router in OWN_ROUTERS.items():
    wagtail_api_v3.add_router(f"/{prefix}", router)

urlpatterns = [
    path("healthz", health, name="health"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v3/", read_only_urls(wagtail_api_v3, OWN_ROUTERS)),
    path("api/", include("cms.objections.urls")),
    path("api/", include("cms.consultation.urls")),
    path("api/", include("cms.alerts.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns.append(path("", include(wagtail_urls)))
