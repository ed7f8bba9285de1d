"""Decision notices (决定公告) as Pelican sources: one page per notice, and one page per rejected
item (不予认定理由). The listings they appear on are made by :mod:`portal.listings`.

Everything a page says about state, window and clauses comes from the read API as it answered at
export time; this module only picks the public fields by name (so nothing the API might add, such
as an expert panel record, can slip through), and formats dates for reading.
"""

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from .dates import EPOCH_ISO, date_zh, deadline_zh
from .sources import page_source
from .text import paragraphs, tel_href
from .urls import (
    CLOSED_URL,
    NOTICES_URL,
    RESULTS_URL,
    item_segments,
    item_url,
    notice_url,
    policy_url,
    record_url,
    with_anchor,
)

NOTICE_TYPE = "notices.DecisionNoticePage"
NOTICE_INDEX_TYPE = "notices.NoticeIndexPage"

UNDER_PUBLICITY = "under_publicity"
CLOSED = "closed"
FINALISED = "finalised"
CORRECTED = "corrected"
WITHDRAWN = "withdrawn"

# The three listings, and the one a notice is on by its state.
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


class NoticeDataError(ValueError):
    """The notices cannot be published as the API sent them (e.g. two at one address)."""


_ANCHOR = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_SHORT_CODE = re.compile(r"^[A-Z][0-9]{1,2}$")


def listing_of(state: str) -> dict[str, str]:
    """The listing a notice in ``state`` is on (the open one for a state it does not know)."""
    return LISTINGS.get(LISTING_FOR_STATE.get(state, ""), LISTINGS["open"])


# --- one notice ---------------------------------------------------------------------------------


def _cited(cited: dict[str, Any]) -> dict[str, Any]:
    policy = cited.get("policy") or None
    anchor = cited.get("anchor") or ""
    url = ""
    if policy and policy.get("slug") and _ANCHOR.match(anchor):
        url = with_anchor(policy_url(policy["slug"]), anchor)
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
        # the page names the day its state holds for while its window runs; once it has closed,
        # only an action changes the state, and the page says nothing that a new day changes:
        # an unchanged notice exports unchanged.
        "as_of_zh": date_zh(window["computed_at"]) if window["phase"] != "closed" else "",
    }


def _summary_link(summary: dict[str, Any], live_ids: set[int]) -> dict[str, Any]:
    return {
        "title": summary["title"],
        "notice_number": summary.get("notice_number") or "",
        # A notice that is not live is not on the portal: name it, but do not link to nothing.
        "url": notice_url(summary["slug"], summary["id"]) if summary["id"] in live_ids else "",
    }


def _item(item: dict[str, Any], url: str, segment: str) -> dict[str, Any]:
    """One decision item of the notice at ``url``; a rejected one has a page at ``segment``."""
    rejected = item["decision"] == "rejected"
    return {
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
        "rejection_url": item_url(url, segment) if rejected else "",
    }


def _contact(contact: dict[str, Any]) -> dict[str, str]:
    return {
        "office": contact.get("office") or "",
        "phone": contact.get("phone") or "",
        "phone_href": tel_href(contact.get("phone") or ""),
        "email": contact.get("email") or "",
        "address": contact.get("address") or "",
    }


def _withdrawal(withdrawal: dict[str, Any] | None) -> dict[str, Any] | None:
    if not withdrawal:
        return None
    return {
        "date_zh": date_zh(withdrawal.get("withdrawn_at")),
        "reason": paragraphs(withdrawal.get("reason")),
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
    raw_items = page.get("public_items") or []
    segments = item_segments(item["project_code"] for item in raw_items)
    items = [_item(item, url, segment) for item, segment in zip(raw_items, segments, strict=True)]
    handling_body = page.get("handling_body") or None
    corrects = page.get("corrects_summary") or None
    listing = listing_of(state)
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
        "objection_contact": _contact(page.get("objection_contact") or {}),
        "decision_items": items,
        "exempted_count": sum(1 for item in items if item["decision"] == "exempted"),
        "rejected_count": sum(1 for item in items if item["decision"] == "rejected"),
        "corrects": _summary_link(corrects, live_ids) if corrects else None,
        "correction_note": paragraphs(page.get("correction_note")),
        "corrected_by": [
            _summary_link(summary, live_ids) for summary in page.get("corrected_by_summary") or []
        ],
        "withdrawal": _withdrawal(page.get("withdrawal") or None),
        "finalised_on": page.get("finalised_on"),
        "finalised_on_zh": date_zh(page.get("finalised_on")),
        "listing": {"title": listing["title"], "url": listing["url"]},
        "record_url": record_url(url),
        # The notice's canonical public data as the API gave it: the open data publishes it and
        # its hash is in the notice's last record entry (docs/public-record.md).
        "record_data": record_data(page),
    }


# --- its pages ----------------------------------------------------------------------------------


def _date(notice: dict[str, Any]) -> str:
    return notice["first_published_at"] or EPOCH_ISO


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
    return page_source(metadata, {**notice, "objection_form": form})


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
        sources.append(page_source(metadata, {"notice": parent, "item": item}))
    return sources


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
