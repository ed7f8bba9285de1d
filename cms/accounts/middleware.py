"""Keeps a member of ``SECOND_FACTOR_GROUPS`` out of the admin until the session is verified."""

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from .second_factor import confirmed_device, requires_second_factor

# What an unverified user may still reach: signing in and out, the two second-factor pages,
# and what Wagtail's sign-in layout loads (its translations and icons).
OPEN_URL_NAMES = frozenset(
    {
        "wagtailadmin_login",
        "wagtailadmin_logout",
        "wagtailadmin_javascript_catalog",
        "wagtailadmin_sprite",
        "second_factor_setup",
        "second_factor_verify",
    }
)


class SecondFactorMiddleware:
    """After django-otp's ``OTPMiddleware``: any other admin URL, for a user who must use a
    second factor and has not in this session, redirects to the code form (or to setting up an
    authenticator app first), then back to where they were going."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not request.path_info.startswith(reverse("wagtailadmin_home")):
            return None
        if request.resolver_match.url_name in OPEN_URL_NAMES:
            return None
        user = request.user
        # Verified first: it costs nothing, the group lookup a query on every admin request.
        if user.is_verified() or not requires_second_factor(user):
            return None
        step = "second_factor_verify" if confirmed_device(user) else "second_factor_setup"
        target = reverse(step)
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(target)
