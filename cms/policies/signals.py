"""A policy's publication or change of status is appended to the public record."""

from django.dispatch import receiver
from django.utils import timezone
from wagtail.signals import page_published

from cms.record import chain
from cms.record import services as record
from cms.record.models import RecordEvent, RecordKind

from .models import PolicyPage


@receiver(page_published, sender=PolicyPage)
def record_policy(sender, instance, **kwargs):
    data = instance.record_data()
    if record.last_data_hash(RecordKind.POLICY, instance.slug) != chain.data_hash(data):
        record.append(
            RecordKind.POLICY, instance.slug, RecordEvent.POLICY_STATUS, data, timezone.now()
        )
