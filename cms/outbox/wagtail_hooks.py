"""The outbox in the admin (设置 → 发信队列), read-only: what waits, what was sent, what failed
and why (the error's class and SMTP code). Superusers see it, and anyone given its view
permission; addresses are shown in full to superusers only, masked for everyone else. Nobody
adds, edits or deletes mail here, and no body is shown."""

from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from .models import OutgoingMail
from .rules import mask_address


def shown_address(user, address: str) -> str:
    return address if user.is_superuser else mask_address(address)


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """The outbox is written by the platform alone."""

    def user_has_permission(self, user, action):
        if action in ("add", "change", "delete"):
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


OUTBOX_PERMISSIONS = ReadOnlyPermissionPolicy(OutgoingMail)
register_permission_policy(OutgoingMail, OUTBOX_PERMISSIONS)


class AddressColumn(Column):
    """The recipient, masked unless the viewer is a superuser."""

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["value"] = shown_address(parent_context["request"].user, instance.recipient)
        return context


class OutgoingMailInspectView(generic.InspectView):
    fields = [
        "recipient", "subject", "purpose", "state", "attempts", "next_attempt_at",
        "last_error", "message_id", "created_at", "sent_at",
    ]  # fmt: skip

    def get_field_display_value(self, field_name, field):
        if field_name == "recipient":
            return shown_address(self.request.user, self.object.recipient)
        return super().get_field_display_value(field_name, field)


class OutboxViewSet(ModelViewSet):
    model = OutgoingMail
    icon = "mail"
    menu_label = "发信队列"
    add_to_settings_menu = True
    permission_policy = OUTBOX_PERMISSIONS
    form_fields = ["subject"]  # never shown: nobody may add or edit (the policy above)
    list_display = [
        "subject",
        AddressColumn("recipient", label="收件人"),
        "purpose",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
        "sent_at",
    ]
    list_filter = ["state", "purpose"]
    inspect_view_enabled = True
    inspect_view_class = OutgoingMailInspectView
    copy_view_enabled = False


@hooks.register("register_admin_viewset")
def register_outbox_viewset():
    return OutboxViewSet("outbox")
