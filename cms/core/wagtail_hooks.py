"""The admin dashboard shows how the last portal builds went."""

from wagtail import hooks
from wagtail.admin.ui.components import Component

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
