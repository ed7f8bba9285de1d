from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _


def check_digest_time(app_configs=None, **kwargs) -> list:
    """ALERTS_DIGEST_TIME must be a time of day (HH:MM): caught at start, not at 08:00."""
    from .rules import parse_time_of_day

    try:
        parse_time_of_day(settings.ALERTS_DIGEST_TIME)
    except ValueError:
        return [
            checks.Error(
                f"ALERTS_DIGEST_TIME must be a time of day as HH:MM (Beijing time), not "
                f"{settings.ALERTS_DIGEST_TIME!r}.",
                id="alerts.E001",
            )
        ]
    return []


class AlertsConfig(AppConfig):
    name = "cms.alerts"
    label = "alerts"
    verbose_name = _("订阅提醒")

    def ready(self):
        from . import signals  # noqa: F401

        checks.register(check_digest_time)
