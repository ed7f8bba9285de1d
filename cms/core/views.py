import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

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
