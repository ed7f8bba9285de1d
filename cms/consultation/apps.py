from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationConfig(AppConfig):
    name = "cms.consultation"
    label = "consultation"
    verbose_name = _("征求意见")
