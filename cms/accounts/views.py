"""The second step of an admin login (setting up an authenticator app, then a code at each
login) and the page a locked-out login gets."""

import math
from collections.abc import Callable

import django_otp
from axes.helpers import get_failure_limit
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from .forms import CodeForm
from .second_factor import (
    confirm,
    confirmed_device,
    manual_secret,
    pending_device,
    qr_svg,
    requires_second_factor,
)


def next_url(request: HttpRequest) -> str:
    """Where to go afterwards: a ``next`` on this site, or the dashboard."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("wagtailadmin_home")


def code_error(request: HttpRequest, device: TOTPDevice, code: str) -> str | None:
    """None when ``code`` is the device's current one; otherwise why it was refused.

    django-otp counts each wrong code and makes the next attempt wait 1, 2, 4 … seconds."""
    allowed, details = device.verify_is_allowed()
    if not allowed and details and "locked_until" in details:
        seconds = math.ceil((details["locked_until"] - timezone.now()).total_seconds())
        return f"错误次数过多，请 {max(seconds, 1)} 秒后再试。"
    if django_otp.verify_token(request.user, device.persistent_id, code) is None:
        return "验证码不正确或已过期，请输入应用中当前显示的 6 位数字。"
    return None


def take_code(
    request: HttpRequest,
    device: TOTPDevice,
    on_success: Callable[[TOTPDevice], None] | None = None,
) -> tuple[CodeForm, HttpResponse | None]:
    """The code form; once it holds the device's current code, the session is verified with
    ``device`` (after ``on_success``) and the second value is the redirect onwards."""
    form = CodeForm(request.POST or None)
    if form.is_valid():
        error = code_error(request, device, form.cleaned_data["code"])
        if error is None:
            if on_success is not None:
                on_success(device)
            django_otp.login(request, device)
            return form, redirect(next_url(request))
        form.add_error("code", error)
    return form, None


@never_cache
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """First login of a member of ``SECOND_FACTOR_GROUPS``: scan the QR code (or type the
    key), then type a code to prove the app works. A user who already has a device never gets
    here: replacing it takes ``manage.py reset_second_factor``."""
    user = request.user
    if not requires_second_factor(user):
        return redirect(next_url(request))
    if confirmed_device(user):
        return redirect(f"{reverse('second_factor_verify')}?{request.GET.urlencode()}")
    device = pending_device(user)
    form, done = take_code(request, device, on_success=confirm)
    if done:
        return done
    uri = device.config_url
    context = {
        "form": form,
        "next": next_url(request),
        "otpauth_uri": uri,
        "qr_code": qr_svg(uri),
        "secret": manual_secret(device),
    }
    return render(request, "accounts/second_factor_setup.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of each login: a code from the app set up before."""
    user = request.user
    device = confirmed_device(user)
    if device is None:
        if requires_second_factor(user):
            return redirect(f"{reverse('second_factor_setup')}?{request.GET.urlencode()}")
        return redirect(next_url(request))
    if user.is_verified():
        return redirect(next_url(request))
    form, done = take_code(request, device)
    if done:
        return done
    context = {"form": form, "next": next_url(request)}
    return render(request, "accounts/second_factor_verify.html", context)


def locked_out(request: HttpRequest, response=None, credentials=None) -> HttpResponse:
    """django-axes' answer to a login from a locked-out username and address (429)."""
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "minutes": math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60),
    }
    return render(request, "accounts/lockout.html", context, status=429)
