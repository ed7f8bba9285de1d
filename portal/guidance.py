"""Pelican sources for the guidance page (申报指南, ``guidance/``) and its FAQ (``guidance/faq/``).

Both come from the read API: the guidance page's structured fields (clause codes with their
anchors and texts from the live policy, the materials, the steps, who handles what) and the FAQ's
questions. Every clause reference becomes a link to its anchor on the policy page, whose URL is
the one the exporter gives the policy. The FAQ's answers are rich text: cleaned here, once.
"""

from typing import Any

from common.cleaning import clean_html

from .client import CMSClient
from .dates import first_published
from .sources import page_source
from .urls import FAQ_URL, GUIDANCE_URL, LESSONS_URL, SELF_CHECK_URL, policy_url, with_anchor

GUIDANCE_TYPE = "guidance.GuidancePage"
FAQ_TYPE = "guidance.FaqPage"
GUIDANCE_TEMPLATE = "guidance"
FAQ_TEMPLATE = "faq"


def _policy_url(page: dict[str, Any]) -> str:
    summary = page.get("policy_summary")
    return policy_url(summary["slug"]) if summary else ""


def _link(reference: dict[str, Any] | None, policy_page: str) -> dict[str, str] | None:
    """A clause reference with the URL of its anchor on the policy page (None without one)."""
    if not reference or not reference.get("anchor") or not policy_page:
        return None
    return {
        "anchor": reference["anchor"],
        "clause_ref": reference.get("clause_ref") or "",
        "heading": reference.get("heading") or "",
        "url": with_anchor(policy_page, reference["anchor"]),
    }


def _passage(value: dict[str, Any], policy_page: str) -> dict[str, Any]:
    return {
        "text": value.get("text") or "",
        "reference": _link(value.get("reference"), policy_page),
    }


def _clauses(rows: list[dict[str, Any]], policy_page: str) -> list[dict[str, Any]]:
    return [
        {
            "code": row["code"],
            "label": row["label"],
            "text": row.get("text") or "",
            "note": row.get("note") or "",
            "reference": _link(row, policy_page),
        }
        for row in rows
    ]


def _steps(steps: list[dict[str, Any]], policy_page: str) -> list[dict[str, Any]]:
    return [
        {
            "title": step["title"],
            "text": step.get("text") or "",
            "days": step.get("days"),
            "reference": _link(step.get("reference"), policy_page),
        }
        for step in steps
    ]


def _handling(handling: dict[str, Any], policy_page: str) -> dict[str, Any]:
    """Who handles an application for each programme, and the clause that says so."""
    return {
        "programmes": [
            {"programme": row["programme_label"], "body": row["body_label"]}
            for row in handling.get("programmes") or []
        ],
        **_passage(handling, policy_page),
    }


def guidance_source(page: dict[str, Any], faq: dict[str, Any] | None = None) -> dict[str, Any]:
    policy_page = _policy_url(page)
    policy = page.get("policy_summary") or {}
    cms = {
        "id": page["id"],
        "title": page["title"],
        # The policy feed and JSON-LD list the guidance with the policy it follows.
        "issuing_body": policy.get("issuing_body") or "",
        "status_label": policy.get("status_label") or "",
        "last_published_at": page["meta"].get("last_published_at"),
        "introduction": page.get("introduction") or "",
        "policy": {"title": policy.get("title") or "", "url": policy_page} if policy else None,
        "scope": [
            {"text": row["text"], "reference": _link(row.get("reference"), policy_page)}
            for row in page.get("scope") or []
        ],
        "grounds": _clauses(page.get("grounds") or [], policy_page),
        "exclusions": _clauses(page.get("exclusions") or [], policy_page),
        "materials": [
            {"name": row["name"], "note": row.get("note") or ""}
            for row in page.get("materials") or []
        ],
        "deadline": _passage(page.get("deadline_info") or {}, policy_page),
        "steps": _steps(page.get("steps") or [], policy_page),
        "publicity_days": page.get("publicity_days"),
        "handling": _handling(page.get("handling") or {}, policy_page),
        "exemption_effect": _passage(page.get("exemption_effect_info") or {}, policy_page),
        "after_exemption": _passage(page.get("after_exemption_info") or {}, policy_page),
        "contacts": page.get("contacts") or [],
        "forms": [
            {k: row.get(k) or "" for k in ("title", "note", "url", "file_extension")}
            for row in page.get("forms") or []
        ],
        "faq": {"title": faq["title"], "url": FAQ_URL} if faq else None,
        "self_check_url": SELF_CHECK_URL,
        "lessons_url": LESSONS_URL,
    }
    metadata = {
        "title": page["title"],
        "slug": "guidance",
        "template": GUIDANCE_TEMPLATE,
        "url": GUIDANCE_URL,
        "date": first_published(page),
    }
    return page_source(metadata, cms)


def faq_source(faq: dict[str, Any], guidance: dict[str, Any] | None) -> dict[str, Any]:
    policy_page = _policy_url(guidance) if guidance else ""
    cms = {
        "id": faq["id"],
        "title": faq["title"],
        "introduction": faq.get("introduction") or "",
        "guidance": {"title": guidance["title"], "url": GUIDANCE_URL} if guidance else None,
        "questions": [
            {
                "question": row["question"],
                "answer_html": clean_html(row.get("answer")),
                "reference": _link(row.get("reference"), policy_page),
            }
            for row in faq.get("questions") or []
        ],
    }
    metadata = {
        "title": faq["title"],
        "slug": "guidance-faq",
        "template": FAQ_TEMPLATE,
        "url": FAQ_URL,
        "date": first_published(faq),
    }
    return page_source(metadata, cms)


def sources(client: CMSClient) -> dict[str, dict[str, Any]]:
    """The live guidance page and FAQ: ``guidance.json`` and ``guidance/faq.json``."""
    guidance = next(iter(client.pages_of_type(GUIDANCE_TYPE)), None)
    faq = next(iter(client.pages_of_type(FAQ_TYPE)), None)
    found = {}
    if guidance is not None:
        found["guidance.json"] = guidance_source(guidance, faq)
    if faq is not None:
        found["guidance/faq.json"] = faq_source(faq, guidance)
    return found
