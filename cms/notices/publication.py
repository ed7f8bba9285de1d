"""What the read API publishes of a notice: public item fields and cited clauses, nothing else.

The expert panel record and anything about objectors never pass through here.
"""

from typing import Any

from cms.policies.outline import passages

from . import rules


def clause_lookup(index_page) -> dict[str, Any]:
    """The policy the notices cite, and its clause texts by anchor."""
    policy = getattr(index_page, "policy", None)
    if policy is None or not policy.live:
        return {"policy": None, "texts": {}}
    return {
        "policy": {"id": policy.pk, "title": policy.title, "slug": policy.slug},
        "texts": {anchor: p.text for anchor, p in passages(policy.outline).items()},
    }


def cited_clause(code: str, lookup: dict[str, Any]) -> dict[str, Any]:
    clause = rules.get_clause(code)
    return {
        **clause.as_dict(),
        "clause_text": lookup["texts"].get(clause.anchor, ""),
        "policy": lookup["policy"],
    }


def item_public_data(item, lookup: dict[str, Any]) -> dict[str, Any]:
    decision = rules.Decision(item.decision)
    programme = rules.Programme(item.programme)
    return {
        "id": item.pk,
        "project_code": item.project_code,
        "project_name": item.project_name,
        "programme": programme.value,
        "programme_label": programme.label,
        "undertaking_unit": item.undertaking_unit,
        "project_leader": item.project_leader,
        "decision": decision.value,
        "decision_label": decision.label,
        "grounds": [cited_clause(code, lookup) for code in item.grounds or ()],
        "reasons": [cited_clause(code, lookup) for code in item.reasons or ()],
        "explanation": item.explanation,
    }


def notice_summary(page) -> dict[str, Any]:
    return {
        "id": page.pk,
        "title": page.title,
        "slug": page.slug,
        "notice_number": page.notice_number,
    }
