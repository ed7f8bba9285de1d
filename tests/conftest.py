"""Shared fixtures: the seed policy loaded into the test database."""

from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
SEED_TEXT = (ROOT / "cms" / "policies" / "seed" / "exemption_policy_draft.txt").read_text(
    encoding="utf-8"
)


@pytest.fixture
def seeded(db):
    call_command("load_seed_policy", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def seed_text() -> str:
    return SEED_TEXT
