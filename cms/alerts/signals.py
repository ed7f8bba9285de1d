"""Where alert events come from (a publication, the public record), and when they are due
(core's portal build signals). Recording an event never fails what caused it: an error is
logged (its class only) and the publication goes ahead."""

import logging

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from wagtail.signals import page_published

from cms.core.tasks import portal_build_started, portal_build_succeeded
from cms.record.models import RecordEntry

from . import events, services
from .tasks import send_alerts

logger = logging.getLogger(__name__)


def _recorded(record, *args) -> None:
    try:
        with transaction.atomic():
            record(*args)
    except Exception as error:  # an alert missed is no reason to refuse a publication
        logger.error("alert event not recorded: %s", type(error).__name__)


@receiver(post_save, sender=RecordEntry)
def record_entry_appended(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        _recorded(events.record_entry_appended, instance)


@receiver(page_published)
def page_published_event(sender, instance, revision=None, **kwargs):
    _recorded(events.page_published, instance, revision)


@receiver(portal_build_started)
def build_started(sender, build, **kwargs):
    services.portal_build_started(build.started_at)


def request_alerts() -> None:
    try:
        send_alerts.enqueue()
    except Exception as error:  # the scheduler's sweep queues them instead
        logger.warning("alerts not requested: %s", type(error).__name__)


@receiver(portal_build_succeeded)
def build_succeeded(sender, build, **kwargs):
    services.portal_build_succeeded(build.started_at)
    if services.alerts_waiting():  # these, or those a stopped worker left
        transaction.on_commit(request_alerts)
