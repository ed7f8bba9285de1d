"""Once, when the public record is introduced on a database that already has live notices and
policies: appends for each one the record does not know yet its publication (at its first
publication time) and its current state, so that it can be finalised, withdrawn or corrected
with its history. Idempotent: a subject with any entry is left alone."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from cms.notices.models import DecisionNoticePage
from cms.notices.publication import record_data
from cms.notices.services import STATE_EVENTS
from cms.policies.models import PolicyPage
from cms.record.models import RecordEntry, RecordEvent, RecordKind
from cms.record.services import append_many


def existing_events(now) -> list[tuple]:
    known = set(RecordEntry.objects.values_list("kind", "subject").distinct())
    events = []
    for notice in DecisionNoticePage.objects.live().select_related("corrects").order_by("pk"):
        if (RecordKind.NOTICE, notice.notice_number) in known:
            continue
        state = notice.state_at(now)
        DecisionNoticePage.objects.filter(pk=notice.pk).update(recorded_state=state.value)
        notice.recorded_state = state.value
        data = record_data(notice)
        first = RecordEvent.CORRECTION_PUBLISHED if notice.corrects_id else RecordEvent.PUBLISHED
        published = notice.first_published_at or now
        subject = (RecordKind.NOTICE, notice.notice_number)
        events.append((*subject, first, data, published))
        if state in STATE_EVENTS:
            events.append((*subject, STATE_EVENTS[state], data, now))
    for policy in PolicyPage.objects.live().order_by("pk"):
        if (RecordKind.POLICY, policy.slug) not in known:
            at = policy.last_published_at or now
            events.append((RecordKind.POLICY, policy.slug, RecordEvent.POLICY_STATUS,
                           policy.record_data(), at))  # fmt: skip
    return events


class Command(BaseCommand):
    help = (
        "为公示记录补记已上线的公告和政策文件（仅限记录中尚无的） / "
        "Record what is live but not yet in the public record."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            count = append_many(existing_events(timezone.now()))
        self.stdout.write(f"补记 {count} 条 / {count} entries appended")
