"""Appending to the public record: one entry at a time, each chained to the one before."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from . import chain
from .models import RecordEntry

#: Serialises appends on PostgreSQL (SQLite's IMMEDIATE transactions already do).
_ADVISORY_LOCK_KEY = 7_061_417


def head() -> tuple[int, str]:
    """The last entry's sequence and hash; (0, 64 zeros) for an empty record."""
    last = RecordEntry.objects.order_by("-sequence").values_list("sequence", "hash").first()
    return last or (0, chain.GENESIS_HASH)


#: One event to append: (kind, subject, event, public data, when).
Event = tuple[str, str, str, Any, datetime]


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])


def _chained(events: Iterable[Event]) -> list[RecordEntry]:
    sequence, previous = head()
    entries = []
    for kind, subject, event, data, at in events:
        sequence += 1
        entry = RecordEntry(
            sequence=sequence,
            recorded_at=at.replace(microsecond=0),
            kind=kind,
            subject=subject,
            event=event,
            data_sha256=chain.data_hash(data),
            previous_hash=previous,
            hash="",
        )
        entry.hash = previous = chain.entry_hash(entry.fields())
        entries.append(entry)
    return entries


@transaction.atomic
def append(kind: str, subject: str, event: str, data: Any, at: datetime | None = None):
    """Appends one entry for ``subject``'s ``event`` with the hash of its public ``data``."""
    _lock()
    (entry,) = _chained([(kind, subject, event, data, at or timezone.now())])
    entry.save()
    return entry


@transaction.atomic
def append_many(events: Iterable[Event], batch_size: int = 2000) -> int:
    """Appends many entries in order, in batches (loading history, e.g. benchmark data)."""
    _lock()
    entries = _chained(events)
    RecordEntry.objects.bulk_create(entries, batch_size=batch_size)
    return len(entries)


def last_data_hash(kind: str, subject: str) -> str | None:
    return (
        RecordEntry.objects.filter(kind=kind, subject=subject)
        .order_by("-sequence")
        .values_list("data_sha256", flat=True)
        .first()
    )


def entries_for(kind: str, subject: str) -> list[RecordEntry]:
    return list(RecordEntry.objects.filter(kind=kind, subject=subject).order_by("sequence"))
