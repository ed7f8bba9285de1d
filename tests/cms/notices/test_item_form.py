"""The item form's checkboxes read as the policy does: codes editors know (A1–A5, X1–X4) with
their labels, and the other rejection reasons by their labels alone, never a machine code."""

import re

import pytest
from bs4 import BeautifulSoup

from cms.domain.clauses import EXCLUSIONS, GROUNDS, REJECTION_REASONS

pytestmark = pytest.mark.django_db


def _checkbox_labels(body: str, field: str) -> dict[str, str]:
    soup = BeautifulSoup(body, "html.parser")
    labels = {}
    for box in soup.select(f'input[type="checkbox"][name$="-{field}"]'):
        label = box.find_parent("label") or soup.find("label", attrs={"for": box.get("id")})
        labels[box["value"]] = " ".join(label.get_text().split())
    return labels


def test_reasons_and_grounds_show_labels_not_machine_codes(client, editor, notice_index):
    client.force_login(editor)
    body = client.get(f"/admin/pages/add/notices/decisionnoticepage/{notice_index.pk}/")
    body = body.content.decode()
    reasons = _checkbox_labels(body, "reasons")
    assert set(reasons) == set(REJECTION_REASONS)
    for code, label in reasons.items():
        clause = REJECTION_REASONS[code]
        expected = f"{code} {clause.label}" if code in EXCLUSIONS else clause.label
        assert label == expected
        assert not re.search(r"[a-z]+_[a-z]+", label), label
    grounds = _checkbox_labels(body, "grounds")
    assert grounds == {code: f"{code} {c.label}" for code, c in GROUNDS.items()}
