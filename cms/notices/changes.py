"""Which live notices' public data may have changed since a version: the portal's export asks
for those only (:mod:`cms.notices.export_api`), so its work follows the change, not the site.

A version (:class:`Version`) is the last page-log entry's id, the instant and the local day it
was taken, and the digest of what every notice shares (the cited policy's clauses). Since then,
a notice's public data may have changed when:

- an entry of Wagtail's page log names it: every way a page changes is logged there (publish,
  scheduled publish, revert, unpublish, delete, move, copy, privacy) and so are the notices'
  own actions (finalise, withdraw, state change). Entries are read by id *and* by time, with a
  margin: an entry whose transaction committed late, with a lower id, is still seen;
- it corrects, or is corrected by, a notice so named (each page shows the other's summary);
- a midnight passed in its publicity window (its state and days left change at midnights);
- an objection to it was filed or answered (its counts).

A privacy setting or a move of a page that is not a notice changes the notices under it (whether
they are public): they are named by their paths. (Deleting or unpublishing a section logs each
notice in it.) A change to what every notice shares, or more changed notices than a build had
better read one by one, means everything. Changes that bypass every log (an ``update()`` from a
shell) need a full export.
"""

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Max, Q
from wagtail.models import Page, PageLogEntry

from cms.domain.dates import local_date
from cms.domain.windows import PublicityWindow

from .models import DecisionNoticePage

# How late a log entry or an objection may commit after its timestamp and still be seen.
MARGIN = timedelta(minutes=5)
# Actions on a page that change whether the notices under it are public.
TREE_ACTIONS = frozenset({"wagtail.move"})
TREE_ACTION_PREFIXES = ("wagtail.view_restriction",)
# More changed notices than this: the export asks for every notice, a page at a time.
MAX_CHANGED = 1000


@dataclass(frozen=True)
class Version:
    log_id: int
    at: datetime
    day: date
    shared: str

    def encode(self) -> str:
        data = [self.log_id, self.at.isoformat(), self.day.isoformat(), self.shared]
        text = json.dumps(data, separators=(",", ":"))
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> "Version | None":
        """The version a token names, or None for one this CMS did not make."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            log_id, at, day, shared = json.loads(raw)
            version = cls(int(log_id), datetime.fromisoformat(at), date.fromisoformat(day), shared)
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            return None
        if version.at.tzinfo is None or not isinstance(shared, str) or version.log_id < 0:
            return None
        return version


def shared_digest(lookup: dict) -> str:
    """A short hash of what every notice shows (the cited clauses: plain values, by repr)."""
    return hashlib.blake2b(repr(lookup).encode(), digest_size=10).hexdigest()


def current_version(now: datetime, shared: str) -> Version:
    """The version to hand out now: taken before the notices are read, so that what changes
    while they are read is seen again next time."""
    last = PageLogEntry.objects.aggregate(last=Max("id"))["last"] or 0
    return Version(last, now, local_date(now), shared)


def changed_notices(since: Version, now: datetime, shared: str) -> set[int] | None:
    """The ids of the notices whose public data may differ from what it was at ``since`` (live
    or not: those no longer live are gone from the site), or None for every notice."""
    if since.shared != shared or since.at > now:
        return None
    ids = _logged(since)
    ids |= _in_window(since.day, local_date(now))
    ids |= set(
        DecisionNoticePage.objects.filter(
            Q(objections__created_at__gte=since.at - MARGIN)
            | Q(objections__answered_at__gte=since.at - MARGIN)
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    if ids:
        ids |= _related(ids)
    return ids if len(ids) <= MAX_CHANGED else None


def _logged(since: Version) -> set[int]:
    notice_type = ContentType.objects.get_for_model(DecisionNoticePage).pk
    entries = PageLogEntry.objects.filter(
        Q(id__gt=since.log_id) | Q(timestamp__gte=since.at - MARGIN)
    ).values_list("page_id", "content_type_id", "action")
    ids, sections = set(), set()
    for page_id, content_type_id, action in entries.iterator():
        if content_type_id == notice_type:
            ids.add(page_id)
        elif action in TREE_ACTIONS or action.startswith(TREE_ACTION_PREFIXES):
            sections.add(page_id)
    if sections:
        paths = Page.objects.filter(pk__in=sections).values_list("path", flat=True)
        under = Q()
        for path in paths:
            under |= Q(path__startswith=path)
        if under:
            ids |= set(DecisionNoticePage.objects.filter(under).values_list("pk", flat=True))
    return ids


def _in_window(since: date, today: date) -> set[int]:
    """Notices for which a midnight after ``since`` and not after ``today`` fell within their
    window or closed it."""
    if since >= today:
        return set()
    live = DecisionNoticePage.objects.filter(live=True)
    longest = live.aggregate(longest=Max("publicity_days"))["longest"] or 1
    rows = live.filter(
        publicity_start__lte=today, publicity_start__gte=since - timedelta(days=longest)
    ).values_list("pk", "publicity_start", "publicity_days")
    return {pk for pk, start, days in rows if PublicityWindow(start, days).end_date >= since}


def _related(ids: set[int]) -> set[int]:
    """The notices the ``ids`` correct and those that correct them."""
    notices = DecisionNoticePage.objects
    corrected = notices.filter(pk__in=ids, corrects__isnull=False).values_list("corrects_id")
    correcting = notices.filter(corrects_id__in=ids).values_list("pk")
    return {pk for (pk,) in corrected} | {pk for (pk,) in correcting}
