from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LessonsConfig(AppConfig):
    name = "cms.lessons"
    label = "lessons"
    verbose_name = _("失败经验总结")
