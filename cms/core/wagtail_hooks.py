"""The admin dashboard shows how the last portal builds went."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.ui.components import Component

from . import gate
from .models import PortalBuild


class PortalBuildPanel(Component):
    name = "portal_builds"
    order = 50
    template_name = "core/portal_build_panel.html"

    def get_context_data(self, parent_context=None):
        builds = list(PortalBuild.objects.order_by("-requested_at")[:5])
        return {"builds": builds, "last": builds[0] if builds else None}


@hooks.register("construct_homepage_panels")
def add_portal_build_panel(request, panels):
    panels.append(PortalBuildPanel())


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
