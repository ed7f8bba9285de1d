"""What the read API publishes of a notice: public item fields and cited clauses, nothing else.

The expert panel record and anything about objectors never pass through here: of objections,
only how many a notice received and how many were upheld.
"""

from collections.abc import Callable
from typing import Any

from django.db.models import Count, Q

from cms.domain.clauses import Decision, get_clause
from cms.domain.dates import local_date
from cms.domain.programmes import Programme
from cms.policies.outline import passages


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
    clause = get_clause(code)
    return {
        **clause.as_dict(),
        "clause_text": lookup["texts"].get(clause.anchor, ""),
        "policy": lookup["policy"],
    }


def item_public_data(
    item, lookup: dict[str, Any], cite: Callable[[str], dict[str, Any]] | None = None
) -> dict[str, Any]:
    """An item as the read API shows it; ``cite`` makes a cited clause (default
    :func:`cited_clause`; the bulk rows pass one that makes each clause once a page)."""
    cite = cite or (lambda code: cited_clause(code, lookup))
    decision = Decision(item.decision)
    programme = Programme(item.programme)
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
        "grounds": [cite(code) for code in item.grounds or ()],
        "reasons": [cite(code) for code in item.reasons or ()],
        "explanation": item.explanation,
    }


def notice_summary(page) -> dict[str, Any]:
    return {
        "id": page.pk,
        "title": page.title,
        "slug": page.slug,
        "notice_number": page.notice_number,
    }


#: The stored outcome of an objection found well-founded (``Outcome.UPHELD`` of the objections
#: app, which sits above this one: named here, not imported).
UPHELD_OUTCOME = "upheld"


def no_objections() -> dict[str, int]:
    return {"received": 0, "upheld": 0}


def objection_counts(notices) -> dict[int, dict[str, int]]:
    """How many objections each notice of the queryset ``notices`` received, and how many were
    upheld: counts only, nothing of who objected or why. Notices with none are left out (see
    :func:`no_objections`). One query, whatever the number of notices."""
    rows = (
        notices.filter(objections__isnull=False)
        .order_by()
        .values("pk")
        .annotate(
            received=Count("objections"),
            upheld=Count("objections", filter=Q(objections__outcome=UPHELD_OUTCOME)),
        )
    )
    return {row["pk"]: {"received": row["received"], "upheld": row["upheld"]} for row in rows}


def record_data(notice) -> dict[str, Any]:
    """The notice's canonical public data, as the public record hashes it (docs/public-record.md):
    what the portal publishes of its decisions, with the state as last recorded."""
    window = notice.publicity_window
    corrects = notice.corrects
    return {
        "notice_number": notice.notice_number,
        "title": notice.title,
        "window_start": window.start_date.isoformat(),
        "window_end": window.end_date.isoformat(),
        "state": notice.recorded_state,
        "corrects": corrects.notice_number if corrects is not None else None,
        "correction_note": notice.correction_note,
        "withdrawal_reason": notice.withdrawal_reason if notice.withdrawn_at else None,
        "finalised_on": (
            local_date(notice.finalised_at).isoformat() if notice.finalised_at else None
        ),
        "items": [record_item(item) for item in notice.items.all()],
    }


def record_item(item) -> dict[str, Any]:
    """An item as the public record hashes it."""
    return {
        "item_id": item.pk,
        "project_code": item.project_code,
        "project_name": item.project_name,
        "programme": item.programme,
        "undertaking_unit": item.undertaking_unit,
        "project_leader": item.project_leader,
        "decision": item.decision,
        "ground_codes": list(item.grounds or ()),
        "reason_codes": list(item.reasons or ()),
        "explanation": item.explanation,
    }
