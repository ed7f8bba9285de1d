import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from wagtail.permission_policies.pages import PagePermissionPolicy

from .tasks import request_portal_rebuild

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def health(request):
    """Liveness and database reachability, for load balancers and the portal build.

    200 ``{"status": "ok"}`` when a query succeeds; 503 with a JSON body when it does not, so
    that a load balancer takes this process out of rotation while its database is unreachable.
    The reason goes to the log, not to the (unauthenticated) response.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        reason = (str(error).strip().splitlines() or [""])[0][:300]
        logger.error("health check: database unreachable: %s: %s", type(error).__name__, reason)
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})


def may_rebuild_portal(user) -> bool:
    """Who may ask for a rebuild by hand: whoever may publish pages (superusers and 审定), whose
    publications ask for one anyway."""
    return PagePermissionPolicy().user_has_permission(user, "publish")


@require_POST
def rebuild_portal_now(request):
    """立即重建 on the dashboard's panel: queues a build, whose progress the panel shows."""
    if not may_rebuild_portal(request.user):
        raise PermissionDenied
    request_portal_rebuild(f"手动重建：{request.user.get_username()}")
    messages.success(request, "已请求重建门户，进度见“门户构建”。")
    return redirect("wagtailadmin_home")
