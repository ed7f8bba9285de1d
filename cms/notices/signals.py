"""A notice's state is recorded (and audited) when it goes live, and so is the state of the
notice it corrects."""

from django.dispatch import receiver
from django.utils import timezone
from wagtail.signals import page_published

from .models import DecisionNoticePage
from .services import record_state, went_live_on


@receiver(page_published, sender=DecisionNoticePage)
def record_state_on_publish(sender, instance, revision=None, **kwargs):
    now = timezone.now()
    user = getattr(revision, "user", None)
    record_state(instance, now, user=user, published=went_live_on(instance) is None)
    if instance.corrects_id:
        record_state(instance.corrects.specific, now, user=user)
