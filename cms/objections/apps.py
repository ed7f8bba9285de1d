from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObjectionsConfig(AppConfig):
    name = "cms.objections"
    label = "objections"
    verbose_name = _("异议")

    def ready(self):
        from cms.notices import services

        from .services import unanswered_for_notice

        if unanswered_for_notice not in services.UNANSWERED_OBJECTION_COUNTERS:
            services.UNANSWERED_OBJECTION_COUNTERS.append(unanswered_for_notice)
