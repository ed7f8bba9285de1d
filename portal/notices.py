"""Decision notices (决定公告) as Pelican sources: listings, one page per notice, and one page per
rejected item (不予认定理由).

Everything a page says about state, window and clauses comes from the read API as it answered at
export time; this module only picks the public fields by name (so nothing the API might add, such
as an expert panel record, can slip through), builds URLs, formats dates for reading and splits
the notices into the three listings by the state the API reported.
"""

import math
import re
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from common.addresses import (  # noqa: F401 (url_segment, notice_segment: the portal's names too)
    NOTICES_PATH,
    RESERVED_NOTICE_SEGMENTS,
    notice_path,
    notice_segment,
    url_segment,
)

NOTICE_TYPE = "notices.DecisionNoticePage"
NOTICE_INDEX_TYPE = "notices.NoticeIndexPage"
LOCAL_TZ = ZoneInfo("Asia/Shanghai")

# Entries per listing page; page N (N ≥ 2) of a listing is at ``<base>page/N/``.
LISTING_PAGE_SIZE = 20
HOME_NOTICE_COUNT = 5

UNDER_PUBLICITY = "under_publicity"
CLOSED = "closed"
FINALISED = "finalised"
CORRECTED = "corrected"
WITHDRAWN = "withdrawn"

NOTICES_URL = NOTICES_PATH
CLOSED_URL = "notices/closed/"
RESULTS_URL = "results/"
# Under a notice's address: its 公示记录 page (portal/record_pages.py), which no item may take.
RECORD_SEGMENT = "record"

LISTINGS = {
    "open": {"title": "公示公告", "heading": "公示中", "url": NOTICES_URL},
    "closed": {"title": "公示结束", "heading": "公示结束", "url": CLOSED_URL},
    "results": {"title": "认定结果", "heading": "认定结果", "url": RESULTS_URL},
}
LISTING_FOR_STATE = {
    UNDER_PUBLICITY: "open",
    CLOSED: "closed",
    CORRECTED: "closed",
    WITHDRAWN: "closed",
    FINALISED: "results",
}


#: In a sources dict: a page the exporter keeps as it is on disk (an unchanged notice's page).
UNCHANGED = "unchanged"


class NoticeDataError(ValueError):
    """The notices cannot be published as the API sent them (e.g. two at one address)."""


_ANCHOR = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_SHORT_CODE = re.compile(r"^[A-Z][0-9]{1,2}$")


# --- formatting -------------------------------------------------------------------------------


def notice_url(slug: str, page_id: int) -> str:
    return notice_path(slug, page_id)


def item_segments(codes: Iterable[str]) -> list[str]:
    """One unique, safe segment per item code, in order (``-2``, ``-3``… on a clash, or for
    ``record``, the notice's record page)."""
    taken: set[str] = {RECORD_SEGMENT}
    segments = []
    for position, code in enumerate(codes, start=1):
        base = url_segment(code) or f"item-{position}"
        segment, suffix = base, 2
        while segment in taken:
            segment, suffix = f"{base}-{suffix}", suffix + 1
        taken.add(segment)
        segments.append(segment)
    return segments


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


def paragraphs(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _tel(phone: str) -> str:
    digits = re.sub(r"[^0-9+]", "", phone or "")
    return f"tel:{digits}" if digits else ""


# --- one notice ---------------------------------------------------------------------------------


def _cited(cited: dict[str, Any]) -> dict[str, Any]:
    policy = cited.get("policy") or None
    anchor = cited.get("anchor") or ""
    url = ""
    if policy and policy.get("slug") and _ANCHOR.match(anchor):
        # Same path the policy page is written to (export.policy_url).
        url = f"policies/{policy['slug']}/#{anchor}"
    code = cited["code"]
    return {
        "code": code,
        # A1…X4 are public codes; the other reason codes are internal, shown by their clause.
        "public_code": code if _SHORT_CODE.match(code) else "",
        "short": code if _SHORT_CODE.match(code) else cited.get("clause_ref") or code,
        "label": cited.get("label") or "",
        "clause_ref": cited.get("clause_ref") or "",
        "anchor": anchor,
        "clause_text": cited.get("clause_text") or "",
        "policy_title": policy.get("title", "") if policy else "",
        "url": url,
    }


def _window(window: dict[str, Any]) -> dict[str, Any]:
    return {
        "start_date": window["start_date"],
        "end_date": window["end_date"],
        "start_zh": date_zh(window["start_date"]),
        "end_zh": date_zh(window["end_date"]),
        "dates_zh": f"{date_zh(window['start_date'])}至{date_zh(window['end_date'])}",
        "closes_at": window["closes_at"],
        "closes_at_zh": deadline_zh(window["closes_at"]),
        "days": window["days"],
        "days_left": window["days_left"],
        "label": window["label"],
        "state": window["state"],
        "state_label": window["state_label"],
        # States change only at midnight (Asia/Shanghai) or when something is published, so
        # the page names the day its state holds for: an unchanged notice exports unchanged.
        "as_of_zh": date_zh(window["computed_at"]),
    }


def _summary_link(summary: dict[str, Any], live_ids: set[int]) -> dict[str, Any]:
    return {
        "title": summary["title"],
        "notice_number": summary.get("notice_number") or "",
        # A notice that is not live is not on the portal: name it, but do not link to nothing.
        "url": notice_url(summary["slug"], summary["id"]) if summary["id"] in live_ids else "",
    }


# The fields of a notice's canonical public data (docs/public-record.md) and of its items.
RECORD_FIELDS = frozenset({
    "notice_number", "title", "window_start", "window_end", "state", "corrects",
    "correction_note", "withdrawal_reason", "finalised_on", "items",
})  # fmt: skip
RECORD_ITEM_FIELDS = frozenset({
    "item_id", "project_code", "project_name", "programme", "undertaking_unit", "project_leader",
    "decision", "ground_codes", "reason_codes", "explanation",
})  # fmt: skip


def record_data(page: dict[str, Any]) -> dict[str, Any]:
    """The notice's canonical public data, published as the API gave it (its hash in the record
    covers it whole, so no field can be left out): one the contract does not name is refused."""
    data = page["record_data"]
    extra = set(data) - RECORD_FIELDS
    for item in data["items"]:
        extra |= set(item) - RECORD_ITEM_FIELDS
    if extra:
        raise NoticeDataError(
            f"Notice {page['id']}: record_data carries fields it must not: {sorted(extra)}"
        )
    return data


def notice_data(page: dict[str, Any], live_ids: set[int]) -> dict[str, Any]:
    """The public facts of one notice, field by field, ready for the templates."""
    url = notice_url(page["meta"]["slug"], page["id"])
    window = _window(page["window"])
    state = window["state"]
    items = []
    raw_items = page.get("public_items") or []
    segments = item_segments(item["project_code"] for item in raw_items)
    for item, segment in zip(raw_items, segments, strict=True):
        rejected = item["decision"] == "rejected"
        items.append(
            {
                # The DecisionItem's id: what the objection API is told the objection is about.
                "id": item["id"],
                "project_code": item["project_code"],
                "project_name": item["project_name"],
                "programme_label": item.get("programme_label") or "",
                "undertaking_unit": item["undertaking_unit"],
                "project_leader": item["project_leader"],
                "decision": item["decision"],
                "decision_label": item["decision_label"],
                "grounds": [_cited(c) for c in item.get("grounds") or []],
                "reasons": [_cited(c) for c in item.get("reasons") or []],
                "explanation": paragraphs(item.get("explanation")),
                "rejection_url": f"{url}{segment}/" if rejected else "",
            }
        )
    handling_body = page.get("handling_body") or None
    contact = page.get("objection_contact") or {}
    withdrawal = page.get("withdrawal") or None
    corrects = page.get("corrects_summary") or None
    listing = LISTINGS.get(LISTING_FOR_STATE.get(state, ""), LISTINGS["open"])
    return {
        "id": page["id"],
        "title": page["title"],
        "notice_number": page.get("notice_number") or "",
        "url": url,
        "first_published_at": page["meta"].get("first_published_at"),
        "state": state,
        "state_label": window["state_label"],
        "under_publicity": state == UNDER_PUBLICITY,
        "window": window,
        "handling_body": handling_body["label"] if handling_body else "",
        "introduction": paragraphs(page.get("introduction")),
        "objection_contact": {
            "office": contact.get("office") or "",
            "phone": contact.get("phone") or "",
            "phone_href": _tel(contact.get("phone") or ""),
            "email": contact.get("email") or "",
            "address": contact.get("address") or "",
        },
        "decision_items": items,
        "exempted_count": sum(1 for item in items if item["decision"] == "exempted"),
        "rejected_count": sum(1 for item in items if item["decision"] == "rejected"),
        "corrects": _summary_link(corrects, live_ids) if corrects else None,
        "correction_note": paragraphs(page.get("correction_note")),
        "corrected_by": [
            _summary_link(summary, live_ids) for summary in page.get("corrected_by_summary") or []
        ],
        "withdrawal": (
            {
                "date_zh": date_zh(withdrawal.get("withdrawn_at")),
                "reason": paragraphs(withdrawal.get("reason")),
            }
            if withdrawal
            else None
        ),
        "finalised_on": page.get("finalised_on"),
        "finalised_on_zh": date_zh(page.get("finalised_on")),
        "listing": {"title": listing["title"], "url": listing["url"]},
        "record_url": f"{url}{RECORD_SEGMENT}/",
        # The notice's canonical public data as the API gave it: the open data publishes it and
        # its hash is in the notice's last record entry (docs/public-record.md).
        "record_data": record_data(page),
    }


def _date(notice: dict[str, Any]) -> str:
    return notice["first_published_at"] or "1970-01-01T00:00:00+00:00"


def _source(metadata: dict[str, Any], cms: dict[str, Any]) -> dict[str, Any]:
    return {"metadata": {"save_as": f"{metadata['url']}index.html", **metadata}, "cms": cms}


def notice_source(notice: dict[str, Any], objection_form: dict[str, Any]) -> dict[str, Any]:
    """The notice's page; while under publicity it carries the objection form's settings."""
    metadata = {
        "title": notice["title"],
        "slug": "notice-" + notice["url"].strip("/").split("/")[-1],
        "template": "notice",
        "url": notice["url"],
        "date": _date(notice),
    }
    form = objection_form if notice["under_publicity"] else None
    return _source(metadata, {**notice, "objection_form": form})


def rejection_sources(notice: dict[str, Any]) -> list[dict[str, Any]]:
    """One 不予认定理由 page per rejected item of the notice."""
    parent = {
        key: notice[key]
        for key in (
            "title", "notice_number", "url", "state", "state_label", "under_publicity",
            "window", "handling_body", "corrected_by", "withdrawal", "listing",
        )
    }  # fmt: skip
    sources = []
    for item in notice["decision_items"]:
        if not item["rejection_url"]:
            continue
        metadata = {
            "title": f"{item['project_code']} 不予认定理由 - {notice['title']}",
            "slug": "rejection-" + item["rejection_url"].strip("/").replace("/", "-"),
            "template": "rejection",
            "url": item["rejection_url"],
            "date": _date(notice),
        }
        sources.append(_source(metadata, {"notice": parent, "item": item}))
    return sources


# --- listings ---------------------------------------------------------------------------------


def _entry(notice: dict[str, Any], group: str = "") -> dict[str, Any]:
    return {
        "group": group,
        "title": notice["title"],
        "url": notice["url"],
        "notice_number": notice["notice_number"],
        "state": notice["state"],
        "state_label": notice["state_label"],
        "dates_zh": notice["window"]["dates_zh"],
        "days_left": notice["window"]["days_left"],
        "handling_body": notice["handling_body"],
        "item_count": len(notice["decision_items"]),
        "exempted_count": notice["exempted_count"],
        "rejected_count": notice["rejected_count"],
        "finalised_on_zh": notice["finalised_on_zh"],
        "corrected_by": notice["corrected_by"],
        "withdrawal": notice["withdrawal"],
    }


def page_url(base: str, number: int) -> str:
    return base if number == 1 else f"{base}page/{number}/"


def listing_sources(
    kind: str,
    entries: list[dict[str, Any]],
    groups: dict[str, str],
    *,
    introduction: list[str] | None = None,
    date: str,
) -> list[dict[str, Any]]:
    """The pages of one listing, ``LISTING_PAGE_SIZE`` entries each (at least one page).

    ``groups`` names, in order, the sections entries fall into (``entry["group"]``); each page
    shows the sections its own entries belong to.
    """
    listing = LISTINGS[kind]
    base = listing["url"]
    size = max(1, LISTING_PAGE_SIZE)
    count = max(1, math.ceil(len(entries) / size))
    subnav = [
        {"title": other["title"], "url": other["url"], "current": name == kind}
        for name, other in LISTINGS.items()
    ]
    sources = []
    for number in range(1, count + 1):
        chunk = entries[(number - 1) * size : number * size]
        sections = [
            {
                "id": group,
                "heading": heading,
                "entries": [entry for entry in chunk if entry["group"] == group],
            }
            for group, heading in groups.items()
        ]
        # The first section always shows (with its "none" line); the others only with entries.
        sections = [s for position, s in enumerate(sections) if position == 0 or s["entries"]]
        title = listing["title"] if number == 1 else f"{listing['title']}（第{number}页）"
        url = page_url(base, number)
        cms = {
            "kind": kind,
            "heading": listing["heading"],
            "introduction": introduction or [],
            "subnav": subnav,
            "sections": sections,
            "total": len(entries),
            "pagination": {
                "number": number,
                "count": count,
                "previous_url": page_url(base, number - 1) if number > 1 else "",
                "next_url": page_url(base, number + 1) if number < count else "",
            },
        }
        metadata = {
            "title": title,
            "slug": f"listing-{kind}-{number}",
            "template": "notice_list",
            "url": url,
            "date": date,
        }
        sources.append(_source(metadata, cms))
    return sources


def _latest_first(notices: Iterable[dict[str, Any]], date_of) -> list[dict[str, Any]]:
    """Newest first by the given ISO date, then by id (newer pages have higher ids)."""
    return sorted(notices, key=lambda n: (date_of(n) or "", n["id"]), reverse=True)


def listing_entry(notice: dict[str, Any]) -> dict[str, Any]:
    """What a listing shows of a notice (its group is added by the listing)."""
    entry = _entry(notice)
    del entry["group"]
    return entry


def notice_page_sources(
    notice: dict[str, Any], objection_form: dict[str, Any]
) -> list[dict[str, Any]]:
    """The notice's page, then one page per rejected item."""
    return [notice_source(notice, objection_form), *rejection_sources(notice)]


def check_addresses(urls: Iterable[str]) -> None:
    counts = Counter(urls)
    duplicates = sorted(url for url, count in counts.items() if count > 1)
    if duplicates:
        raise NoticeDataError(f"Two notices would be written to the same address: {duplicates}")


def listings_from_records(
    records: list[dict[str, Any]], index: dict[str, Any] | None
) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """The listing pages from each notice's record (``portal.notice_store.notice_record``: id,
    state, window dates, finalised_on and ``entry``), and the notices under publicity, newest
    first, as the home page shows them."""
    by_state: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_state.setdefault(record["state"], []).append(record)
    date = (index or {}).get("meta", {}).get("first_published_at") or "1970-01-01T00:00:00+00:00"

    def start(record):
        return record["start_date"]

    under_publicity = _latest_first(by_state.get(UNDER_PUBLICITY, []), start)
    closed = _latest_first(by_state.get(CLOSED, []), lambda r: r["end_date"])
    changed = _latest_first(by_state.get(CORRECTED, []) + by_state.get(WITHDRAWN, []), start)
    finalised = _latest_first(by_state.get(FINALISED, []), lambda r: r["finalised_on"])
    introduction = paragraphs((index or {}).get("introduction"))

    def entries(group, chosen):
        return [{**record["entry"], "group": group} for record in chosen]

    listings = [
        listing_sources(
            "open",
            entries("open", under_publicity),
            {"open": "公示中的公告"},
            introduction=introduction,
            date=date,
        ),
        listing_sources(
            "closed",
            entries("closed", closed) + entries("changed", changed),
            {"closed": "公示期满、待确认结果的公告", "changed": "已更正或已撤回的公告"},
            date=date,
        ),
        listing_sources(
            "results",
            entries("results", finalised),
            {"results": "已确认的认定结果"},
            date=date,
        ),
    ]
    sources = {
        f"listings/{source['metadata']['slug']}.json": source
        for listing in listings
        for source in listing
    }
    home = [
        {
            "id": record["id"],
            "title": record["entry"]["title"],
            "url": record["entry"]["url"],
            "notice_number": record["entry"]["notice_number"],
            "window": {
                "dates_zh": record["entry"]["dates_zh"],
                "days_left": record["entry"]["days_left"],
            },
            "handling_body": record["entry"]["handling_body"],
        }
        for record in under_publicity
    ]
    return sources, home


def notice_collection_sources(
    pages: Iterable[dict[str, Any]],
    index: dict[str, Any] | None,
    *,
    objection_form: dict[str, Any],
) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """Every notice-related source keyed by its file path, and the notices under publicity,
    newest first, with what the home page shows of them (id, title, url, notice_number,
    window's dates_zh and days_left, handling_body).

    ``objection_form`` is what :func:`portal.objections.form_from_schema` read from the API.
    """
    pages = list(pages)
    live_ids = {page["id"] for page in pages}
    notices = [notice_data(page, live_ids) for page in pages]
    check_addresses(notice["url"] for notice in notices)

    sources: dict[str, dict[str, Any]] = {}
    for notice in notices:
        for source in notice_page_sources(notice, objection_form):
            sources[f"{source['metadata']['url'].strip('/')}.json"] = source
    records = [
        {
            "id": notice["id"],
            "state": notice["state"],
            "start_date": notice["window"]["start_date"],
            "end_date": notice["window"]["end_date"],
            "finalised_on": notice["finalised_on"],
            "entry": listing_entry(notice),
        }
        for notice in notices
    ]
    listings, under_publicity = listings_from_records(records, index)
    sources.update(listings)
    return sources, under_publicity
