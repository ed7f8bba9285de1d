"""The admin views every kind of public submission shares. Each app registers its own models
and views in its ``wagtail_hooks``; nothing is registered here."""

from wagtail.admin.views import generic
from wagtail.log_actions import log
from wagtail.permission_policies import ModelPermissionPolicy

from .models import PERSONAL_FIELDS


class PublicSubmissionPermissionPolicy(ModelPermissionPolicy):
    """Submissions come only from the public: nobody adds or deletes them in the admin."""

    def user_has_permission(self, user, action):
        if action in ("add", "delete"):
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


class PersonalDataInspectView(generic.InspectView):
    """The detail of a public submission: the submitter's identity only for staff with
    ``details_permission``, and every such view logged as ``details_log_action``."""

    details_permission: str
    details_log_action: str
    inspect_fields: list[str] = []

    def get_fields(self):
        fields = list(self.inspect_fields)
        if not self.request.user.has_perm(self.details_permission):
            fields = [name for name in fields if name not in PERSONAL_FIELDS]
        return fields

    def get(self, request, *args, **kwargs):
        if request.user.has_perm(self.details_permission):
            log(instance=self.object, action=self.details_log_action, user=request.user)
        return super().get(request, *args, **kwargs)
