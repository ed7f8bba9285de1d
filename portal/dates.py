"""Dates and times: read in Asia/Shanghai, written for reading in Chinese, and the instants the
feeds, the sitemap and JSON-LD give for a page.

A notice's dates are fixed at export time from what the API said (:func:`notice_dates`): nothing
here looks at the build's clock, so the same sources always give the same bytes.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .sources import source_path
from .urls import notice_url

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: The date of a page the CMS gives none (Pelican's ``date``).
EPOCH_ISO = "1970-01-01T00:00:00+00:00"


def first_published(page: dict) -> str:
    """A CMS page's first publication (its read API ``meta``), or the epoch if it has none."""
    return page["meta"].get("first_published_at") or EPOCH_ISO


# --- for reading, in Chinese ------------------------------------------------------------------


def date_zh(value: str | None) -> str:
    """'2026-03-09' (or a timestamp, read in Asia/Shanghai) → '2026年3月9日'; '' for nothing."""
    if not value:
        return ""
    if "T" in value:
        moment = datetime.fromisoformat(value)
        day = (moment.astimezone(LOCAL_TZ) if moment.tzinfo else moment).date()
    else:
        day = date.fromisoformat(value)
    return f"{day.year}年{day.month}月{day.day}日"


def time_zh(value: str | None) -> str:
    """A timestamp → '2026年11月25日17:05（北京时间）'."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo:
        moment = moment.astimezone(LOCAL_TZ)
    return f"{date_zh(moment.date().isoformat())}{moment:%H:%M}（北京时间）"


def deadline_zh(value: str) -> str:
    """The instant a window closes → '2026年3月9日24时（北京时间）' (midnight is read as the end of
    the day before, as the policy counts days); any other instant with its time of day."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo:
        moment = moment.astimezone(LOCAL_TZ)
    if (moment.hour, moment.minute, moment.second) == (0, 0, 0):
        return f"{date_zh((moment.date() - timedelta(days=1)).isoformat())}24时（北京时间）"
    return time_zh(value)


def recorded_at_zh(value: str) -> str:
    """'2026-12-07T00:00:00+08:00' → '2026年12月7日 00:00:00（北京时间）'."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo:
        moment = moment.astimezone(LOCAL_TZ)
    return f"{date_zh(moment.date().isoformat())} {moment:%H:%M:%S}（北京时间）"


def built_at_zh(moment: datetime) -> str:
    """'2026年11月25日 17:15（北京时间）'."""
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}（北京时间）"


# --- instants ---------------------------------------------------------------------------------


def instant(value: str | None) -> datetime | None:
    """An ISO timestamp (aware, or read in Asia/Shanghai) or a date (its 00:00 in Asia/Shanghai)."""
    if not value:
        return None
    if "T" not in value:
        return datetime.combine(date.fromisoformat(value), time(), tzinfo=LOCAL_TZ)
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TZ)


def iso(moment: datetime) -> str:
    """Asia/Shanghai time to the second: '2026-11-25T17:15:48+08:00'."""
    return moment.astimezone(LOCAL_TZ).replace(microsecond=0).isoformat()


def local_iso(value: str) -> str:
    """An ISO timestamp (naive ones read in Asia/Shanghai) in Asia/Shanghai time to the second."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return moment.astimezone(LOCAL_TZ).replace(microsecond=0).isoformat()


# --- a notice's dates, fixed at export time ---------------------------------------------------


def notice_dates(page: dict[str, Any], pages_by_id: dict[int, dict[str, Any]]) -> dict[str, str]:
    """When a notice (as the API sent it) was first published, and when what the public sees of it
    last changed: published again, withdrawn, finalised, corrected (the correction went live) or
    its window closed (the CMS's own closing instant, once the CMS said it had passed)."""
    published = instant(page["meta"].get("first_published_at")) or EPOCH
    changes = [published, instant(page.get("last_published_at"))]
    changes.append(instant((page.get("withdrawal") or {}).get("withdrawn_at")))
    changes.append(instant(page.get("finalised_on")))
    window = page.get("window") or {}
    closes, computed = instant(window.get("closes_at")), instant(window.get("computed_at"))
    if closes and computed and closes <= computed:
        changes.append(closes)
    for summary in page.get("corrected_by_summary") or []:
        correction = pages_by_id.get(summary.get("id"))
        if correction:
            changes.append(instant(correction["meta"].get("first_published_at")))
    updated = max(moment for moment in changes if moment is not None)
    return {"published_at": iso(published), "updated_at": iso(updated)}


def add_notice_dates(sources: dict[str, dict[str, Any]], pages: Iterable[dict[str, Any]]) -> None:
    """Each notice page's source gets ``cms.dates`` (see :func:`notice_dates`), which the feeds,
    the sitemap and the page's JSON-LD use."""
    pages = list(pages)
    by_id = {page["id"]: page for page in pages}
    for page in pages:
        url = notice_url(page["meta"]["slug"], page["id"])
        source = sources.get(source_path(url))
        if source is not None:
            source["cms"]["dates"] = notice_dates(page, by_id)


def _notice_published(cms: dict[str, Any]) -> datetime:
    dates = cms.get("dates") or {}
    return instant(dates.get("published_at")) or instant(cms.get("first_published_at")) or EPOCH


def notice_published(cms: dict[str, Any]) -> str:
    return iso(_notice_published(cms))


def notice_updated(cms: dict[str, Any]) -> str:
    """The notice's last change (from the exporter's dates; its first publication without them)."""
    updated = instant((cms.get("dates") or {}).get("updated_at"))
    return iso(updated or _notice_published(cms))


def source_published(source: dict[str, Any]) -> str:
    """A page source's publication (Pelican's ``date``, the CMS's first_published_at)."""
    return iso(instant(source["metadata"].get("date")) or EPOCH)


def source_updated(source: dict[str, Any]) -> str:
    """A page source's last publication when the API tells it, else its first."""
    updated = instant(source["cms"].get("last_published_at"))
    return iso(updated) if updated else source_published(source)
