"""Appending to the public record: one entry at a time, each chained to the one before."""

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


@transaction.atomic
def append(kind: str, subject: str, event: str, data: Any, at: datetime | None = None):
    """Appends one entry for ``subject``'s ``event`` with the hash of its public ``data``."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
    sequence, previous = head()
    at = (at or timezone.now()).replace(microsecond=0)
    entry = RecordEntry(
        sequence=sequence + 1,
        recorded_at=at,
        kind=kind,
        subject=subject,
        event=event,
        data_sha256=chain.data_hash(data),
        previous_hash=previous,
        hash="",
    )
    entry.hash = chain.entry_hash(entry.fields())
    entry.save()
    return entry


def last_data_hash(kind: str, subject: str) -> str | None:
    return (
        RecordEntry.objects.filter(kind=kind, subject=subject)
        .order_by("-sequence")
        .values_list("data_sha256", flat=True)
        .first()
    )


def entries_for(kind: str, subject: str) -> list[RecordEntry]:
    return list(RecordEntry.objects.filter(kind=kind, subject=subject).order_by("sequence"))
