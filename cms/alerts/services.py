"""Subscribing, confirming, managing and unsubscribing; and sending alerts once what they
announce is on the portal. Each change is one transaction, its mail queued in it (cms.outbox).

Subscribing tells nobody whether the address was subscribed already: the answer is the same,
and only the mailbox learns more (a confirmation for a new or unconfirmed subscription, a note
with the manage and unsubscribe links for a confirmed one), at most one of each an hour (a day
for the note), however often the form is posted.

An event becomes due when a portal build that started after it was committed has succeeded
(:func:`portal_build_started`, :func:`portal_build_succeeded`, on core's signals). Immediate
subscribers then get one mail per event, daily ones one digest at ``ALERTS_DIGEST_TIME``
(Asia/Shanghai); the outbox's dedupe key (subscription, event; subscription, day) makes each
mail once, however often builds repeat or workers restart."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from cms.domain.dates import PUBLICITY_TZ
from cms.outbox import services as outbox

from . import messages, rules, tokens
from .models import AlertEvent, Subscription
from .rules import Frequency

logger = logging.getLogger(__name__)


class LinkExpired(Exception):
    """A confirmation link used after ALERTS_CONFIRM_DAYS."""


# --- subscriptions -----------------------------------------------------------------------------


def digest_time():
    return rules.parse_time_of_day(settings.ALERTS_DIGEST_TIME)


def _queue_confirmation(subscription: Subscription, now: datetime) -> bool:
    """The confirmation mail, at most one an hour; whether a new one was queued."""
    hour = now.astimezone(PUBLICITY_TZ).strftime("%Y%m%d%H")
    key = f"alerts.confirm:{subscription.public_id}:{hour}"
    expires = rules.confirmation_expires_at(now, settings.ALERTS_CONFIRM_DAYS)
    _mail, created = outbox.enqueue(messages.confirmation(subscription, key, expires), now)
    return created


def subscribe(email: str, topics, frequency: str, now: datetime | None = None) -> None:
    """A request to subscribe ``email``: see the module's docstring. Returns nothing, so that
    no caller can tell the cases apart."""
    now = now or timezone.now()
    address = rules.normalise_address(email)
    chosen = [topic.value for topic in rules.topics_in_order(topics)]
    frequency = Frequency(frequency).value
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().filter(email=address).first()
        if subscription is None:
            try:
                with transaction.atomic():
                    subscription = Subscription.objects.create(
                        email=address, topics=chosen, frequency=frequency, created_at=now,
                        consented_at=now, confirmation_sent_at=now,
                    )  # fmt: skip
            except IntegrityError:  # the same address, subscribed at the same moment
                subscription = Subscription.objects.select_for_update().get(email=address)
            else:
                _queue_confirmation(subscription, now)
                logger.info("alert subscription %s requested", subscription.pk)
                return
        if subscription.confirmed:
            day = now.astimezone(PUBLICITY_TZ).date().isoformat()
            key = f"alerts.already:{subscription.public_id}:{day}"
            outbox.enqueue(messages.already_subscribed(subscription, key), now)
            return
        # Not confirmed yet: the latest request says what to confirm.
        subscription.topics, subscription.frequency, subscription.consented_at = (
            chosen, frequency, now,
        )  # fmt: skip
        if _queue_confirmation(subscription, now):
            subscription.confirmation_sent_at = now
        subscription.save()


def find(token: str, purpose: str) -> tuple[bool, Subscription | None]:
    """(whether the link is genuine, its subscription if it still exists)."""
    public_id = tokens.read(token, purpose)
    if public_id is None:
        return False, None
    return True, Subscription.objects.filter(public_id=public_id).first()


def confirm(subscription: Subscription, now: datetime | None = None) -> bool:
    """Confirms the subscription: from now on it is sent what it asked for. Whether it was
    confirmed just now (False: it was already). LinkExpired after ALERTS_CONFIRM_DAYS."""
    now = now or timezone.now()
    if subscription.confirmed:
        return False
    days = settings.ALERTS_CONFIRM_DAYS
    if rules.confirmation_expired(subscription.confirmation_sent_at, now, days):
        raise LinkExpired
    done = Subscription.objects.filter(pk=subscription.pk, confirmed_at__isnull=True).update(
        confirmed_at=now, digest_through=now
    )
    subscription.confirmed_at = subscription.digest_through = now
    if done:
        logger.info("alert subscription %s confirmed", subscription.pk)
    return bool(done)


def update(subscription: Subscription, topics, frequency: str, now: datetime | None = None):
    """New topics and frequency. Turning to the daily digest starts it from now: what was
    sent as it happened is not sent again."""
    now = now or timezone.now()
    frequency = Frequency(frequency).value
    if frequency == Frequency.DAILY and subscription.frequency != Frequency.DAILY:
        subscription.digest_through = now
    subscription.topics = [topic.value for topic in rules.topics_in_order(topics)]
    subscription.frequency = frequency
    subscription.save(update_fields=["topics", "frequency", "digest_through"])
    return subscription


@transaction.atomic
def unsubscribe(subscription: Subscription) -> None:
    """Deletes the subscription, its address with it, and every mail queued or kept for it."""
    outbox.delete_owned_by(subscription.owner)
    Subscription.objects.filter(pk=subscription.pk).delete()
    logger.info("alert subscription %s deleted", subscription.pk)


def delete_unconfirmed(now: datetime | None = None) -> int:
    """Deletes the subscriptions whose confirmation link has expired unused."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.ALERTS_CONFIRM_DAYS)
    expired = Subscription.objects.filter(
        confirmed_at__isnull=True, confirmation_sent_at__lte=cutoff
    )
    count = 0
    for subscription in expired:
        unsubscribe(subscription)
        count += 1
    return count


# --- events and the portal build --------------------------------------------------------------


def portal_build_started(started_at: datetime) -> int:
    """A build is starting: it will export every event committed by now."""
    return AlertEvent.objects.filter(build_started_at__isnull=True).update(
        build_started_at=started_at
    )


def portal_build_succeeded(started_at: datetime, now: datetime | None = None) -> int:
    """A build that started at ``started_at`` is live: the events it exported (and those of
    earlier builds that failed) are due."""
    now = now or timezone.now()
    return AlertEvent.objects.filter(build_started_at__lte=started_at, live_at__isnull=True).update(
        live_at=now
    )


def alerts_waiting() -> bool:
    """Whether an event is live whose immediate alerts are not queued yet."""
    return AlertEvent.objects.filter(live_at__isnull=False, fanned_out_at__isnull=True).exists()


def _immediate_subscribers(event: AlertEvent) -> list[Subscription]:
    subscriptions = Subscription.objects.filter(
        confirmed_at__isnull=False,
        confirmed_at__lte=event.recorded_at,
        frequency=Frequency.IMMEDIATE,
    )
    return [s for s in subscriptions.order_by("pk") if s.covers(event.topic)]


def fan_out(now: datetime | None = None) -> int:
    """Queues one alert per live event for each immediate subscriber of its topic (confirmed
    before the event happened: nobody is sent news older than their subscription). How many
    mails were queued."""
    now = now or timezone.now()
    queued = 0
    due = AlertEvent.objects.filter(live_at__isnull=False, fanned_out_at__isnull=True)
    for event in due.order_by("live_at", "pk"):
        with transaction.atomic():
            drafts = [messages.alert(s, event) for s in _immediate_subscribers(event)]
            queued += outbox.enqueue_many(drafts, now)
            AlertEvent.objects.filter(pk=event.pk).update(fanned_out_at=now)
    return queued


def send_digests(now: datetime | None = None) -> int:
    """Queues the daily digest of each daily subscriber whose digest time has come, with the
    events that went live since the last one (and happened after they subscribed); a day
    without any sends nothing. How many were queued."""
    now = now or timezone.now()
    slot = rules.digest_slot(now, digest_time())
    waiting = Subscription.objects.filter(
        frequency=Frequency.DAILY, confirmed_at__isnull=False, digest_through__lt=slot
    )
    queued = 0
    for pk in waiting.values_list("pk", flat=True):
        with transaction.atomic():
            subscription = Subscription.objects.select_for_update().filter(pk=pk).first()
            if subscription is None or not subscription.digest_through < slot:
                continue  # unsubscribed or sent meanwhile
            events = list(
                AlertEvent.objects.filter(
                    live_at__gt=subscription.digest_through,
                    live_at__lte=slot,
                    recorded_at__gte=subscription.confirmed_at,
                    topic__in=subscription.topics,
                ).order_by("live_at", "pk")
            )
            if events:
                outbox.enqueue(messages.digest(subscription, events, slot), now)
                queued += 1
            subscription.digest_through = slot
            subscription.save(update_fields=["digest_through"])
    return queued


def purge_events(now: datetime | None = None) -> int:
    """Deletes events older than ALERTS_EVENT_RETENTION_DAYS (they hold nothing personal; every
    digest that could want them has gone)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.ALERTS_EVENT_RETENTION_DAYS)
    old = AlertEvent.objects.filter(recorded_at__lt=cutoff).filter(
        Q(fanned_out_at__isnull=False) | Q(live_at__isnull=True)
    )
    deleted, _by_model = old.delete()
    return deleted


def sweep(now: datetime | None = None) -> list[str]:
    """The publicity scheduler's minute: alerts a lost task left unqueued, the daily digests
    that are due, unconfirmed subscriptions past their link, old events. What it did (counts
    only), for the scheduler's log."""
    now = now or timezone.now()
    done = []
    if alerts := fan_out(now):
        done.append(f"alerts queued: {alerts}")
    if digests := send_digests(now):
        done.append(f"alert digests queued: {digests}")
    if deleted := delete_unconfirmed(now):
        done.append(f"unconfirmed alert subscriptions deleted: {deleted}")
    purge_events(now)
    return done
