"""Evidence files reach their place only when the objection that holds them is committed.

A file is first written under ``staging/`` in the evidence root, at the path it will have
(``staging/objections/2026/03/<uuid>.pdf`` for ``objections/2026/03/<uuid>.pdf``), and moved
into place when the transaction commits. A rollback leaves staged files only, which the
submission removes; a worker killed before the commit leaves them behind, and ``sweep`` removes
them, with any file in the evidence tree that no ``ObjectionEvidence`` points at, once they are
older than ``OBJECTION_EVIDENCE_SWEEP_AGE_SECONDS`` (so a submission in flight keeps its files).
A staged file whose record was committed (a worker killed between the commit and the move) is
moved into place instead.
"""

import logging
import os
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from .models import ObjectionEvidence

logger = logging.getLogger(__name__)

STAGING = "staging"


def staged_name(name: str) -> str:
    return f"{STAGING}/{name}"


def evidence_files():
    """The storage every evidence file is in (the one the admin serves them from)."""
    return ObjectionEvidence._meta.get_field("file").storage


def stage(record: ObjectionEvidence, content: bytes) -> str:
    """Writes ``content`` under staging, gives ``record`` the file's final name and moves the
    file there once the current transaction commits. Returns the staged name."""
    storage = evidence_files()
    name = record.file.field.generate_filename(record, f"evidence.{record.extension}")
    staged = storage.save(staged_name(name), ContentFile(content))
    if staged != staged_name(name):  # the name is random: only a clash of uuids gets here
        storage.delete(staged)
        raise FileExistsError(staged_name(name))
    record.file = name
    transaction.on_commit(partial(promote, name), robust=True)
    return staged


def discard(staged: list[str]) -> None:
    """Removes the staged files of a submission that was not stored."""
    for name in staged:
        evidence_files().delete(name)


def promote(name: str) -> bool:
    """Moves the staged file of ``name`` into place; False if there was none (already moved)."""
    storage = evidence_files()
    source, target = storage.path(staged_name(name)), storage.path(name)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    try:
        os.replace(source, target)
    except FileNotFoundError:
        return False
    return True


@dataclass(frozen=True)
class SweepReport:
    moved: int = 0
    staged_removed: int = 0
    orphans_removed: int = 0


def sweep(max_age_seconds: int | None = None) -> SweepReport:
    """Moves committed staged files into place; removes staged files and files no record points
    at once older than ``max_age_seconds`` (default ``OBJECTION_EVIDENCE_SWEEP_AGE_SECONDS``)."""
    if max_age_seconds is None:
        max_age_seconds = settings.OBJECTION_EVIDENCE_SWEEP_AGE_SECONDS
    root = Path(evidence_files().location)
    cutoff = time.time() - max_age_seconds
    referenced = set(ObjectionEvidence.objects.values_list("file", flat=True))
    moved = staged_removed = orphans_removed = 0
    for path in _files(root):
        name = path.relative_to(root).as_posix()
        staged = name.startswith(f"{STAGING}/")
        final = name.removeprefix(f"{STAGING}/")
        try:
            if staged and final in referenced:  # committed, never moved: finish the move
                moved += promote(final)
            elif final not in referenced and path.stat().st_mtime < cutoff:
                path.unlink()
                staged_removed += staged
                orphans_removed += not staged
        except FileNotFoundError:  # moved or removed meanwhile
            continue
    report = SweepReport(moved, staged_removed, orphans_removed)
    if report != SweepReport():
        logger.info("evidence sweep: %s", report)
    return report


def _files(root: Path):
    """Every file under ``root`` but hidden ones (``.nfs…`` on a shared directory)."""
    for directory, _subdirectories, names in os.walk(root):
        for name in names:
            if not name.startswith("."):
                yield Path(directory, name)
