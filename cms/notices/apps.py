from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "cms.notices"
    label = "notices"
    verbose_name = _("公示公告")

    def ready(self):
        from cms.guidance.eligibility import set_policy_source

        from . import signals  # noqa: F401
        from .models import cited_policy

        # The eligibility self-check (cms.guidance) quotes the policy the notices cite.
        set_policy_source(cited_policy)
