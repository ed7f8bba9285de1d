"""E-mail subscriptions in the admin (设置 → 电子邮件订阅), read-only, for superusers (and anyone
given its view permission): how many, to what, how often, confirmed or not. Addresses are
masked here for everyone; nobody adds, edits or deletes a subscription in the admin (its owner
manages it from the links in its mails)."""

from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from cms.outbox.rules import mask_address
from cms.outbox.wagtail_hooks import ReadOnlyPermissionPolicy

from . import rules
from .models import Subscription

SUBSCRIPTION_PERMISSIONS = ReadOnlyPermissionPolicy(Subscription)
register_permission_policy(Subscription, SUBSCRIPTION_PERMISSIONS)


class MaskedEmailColumn(Column):
    def get_value(self, instance):
        return mask_address(instance.email)


class TopicsColumn(Column):
    def get_value(self, instance):
        return rules.topics_text(instance.topics)


class SubscriptionViewSet(ModelViewSet):
    model = Subscription
    icon = "mail"
    menu_label = "电子邮件订阅"
    add_to_settings_menu = True
    permission_policy = SUBSCRIPTION_PERMISSIONS
    form_fields = ["frequency"]  # never shown: nobody may add or edit (the policy above)
    list_display = [
        MaskedEmailColumn("email", label="电子邮箱"),
        TopicsColumn("topics", label="订阅内容"),
        "frequency",
        "created_at",
        "confirmed_at",
    ]
    list_filter = ["frequency"]
    inspect_view_enabled = False
    copy_view_enabled = False


@hooks.register("register_admin_viewset")
def register_subscription_viewset():
    return SubscriptionViewSet("alert_subscriptions")
