"""Production middleware: the health check ahead of host and HTTPS checks, and the content
security policy with the few relaxations Wagtail's admin and the API docs need."""

from collections.abc import Callable

from csp.constants import SELF
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .views import health


class HealthCheckMiddleware:
    """Answers ``GET /healthz`` before any other middleware runs.

    Load balancers probe the app port over plain HTTP with their own Host header (often an IP
    address): ahead of ``SecurityMiddleware`` and ``CommonMiddleware`` the probe is neither
    redirected to HTTPS nor refused by ``ALLOWED_HOSTS``, and it still checks the database.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/healthz":
            return health(request)
        return self.get_response(request)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the policy in ``CONTENT_SECURITY_POLICY`` refined per
    response:

    - under the prefixes in ``CSP_RELAXED_PATH_PREFIXES`` (Wagtail's admin, the API docs),
      the directives in ``CSP_RELAXED_DIRECTIVES`` replace the strict ones: Wagtail still
      renders inline ``<script>`` blocks (InlinePanel, date widgets) and Redoc injects styles;
    - a response that Wagtail marks ``X-Frame-Options: SAMEORIGIN`` (its preview panel) may be
      framed by the CMS itself (``frame-ancestors 'self'``); everything else stays ``'none'``.
    """

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        replace = dict(parts.replace or {})
        prefixes = tuple(getattr(settings, "CSP_RELAXED_PATH_PREFIXES", ()))
        if prefixes and request.path_info.startswith(prefixes):
            replace.update(getattr(settings, "CSP_RELAXED_DIRECTIVES", {}))
        if response.get("X-Frame-Options", "").upper() == "SAMEORIGIN":
            replace["frame-ancestors"] = [SELF]
        parts.replace = replace or None
        return parts
