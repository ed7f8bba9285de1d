"""The admin dashboard shows how the last portal builds went, and offers a rebuild."""

from django.contrib import messages
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.ui.components import Component

from . import gate, views
from .models import PortalBuild
from .tasks import LONG_SECONDS, describe


class PortalBuildPanel(Component):
    name = "portal_builds"
    order = 50
    template_name = "core/portal_build_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        now = timezone.now()
        last_five = PortalBuild.objects.order_by("-requested_at")[:5]
        builds = [describe(build, now) for build in last_five]
        context = {"builds": builds, "long_after": f"{LONG_SECONDS // 60} 分钟"}
        if views.may_rebuild_portal(self.request.user):
            context["rebuild_url"] = reverse("core_rebuild_portal")
            context["csrf_token"] = get_token(self.request)
        return context


@hooks.register("construct_homepage_panels")
def add_portal_build_panel(request, panels):
    panels.append(PortalBuildPanel(request))


@hooks.register("register_admin_urls")
def register_rebuild_url():
    return [path("portal-builds/rebuild/", views.rebuild_portal_now, name="core_rebuild_portal")]


@hooks.register("before_publish_page")
def refuse_publication_the_gate_refuses(request, page):
    """The admin's publish buttons (create, edit, revert) meet the page's publish guard first,
    with its reasons, before Wagtail's publish action runs; the draft they saved stays."""
    stored = type(page).objects.filter(pk=page.pk).values_list("first_published_at", flat=True)
    was_published = bool(stored and stored[0])
    errors = gate.publish_errors(page, timezone.now(), was_published=was_published)
    if not errors:
        return None
    for error in errors:
        messages.error(request, f"不能发布：{error.message}")
    return redirect("wagtailadmin_pages:edit", page.pk)
