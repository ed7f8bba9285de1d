"""The benchmark's generated data as the site would hold it: nothing dated after it was made, so
that an export taken afterwards sees no notice as changed (every figure of ``make bench`` that
follows a change to one notice depends on it)."""

import datetime

import pytest
from django.db.models import Max
from django.utils import timezone
from wagtail.models import PageLogEntry

from benchmarks.generate import generate
from cms.core.clock import travel_to
from cms.notices import changes
from cms.notices.models import NoticeIndexPage
from cms.notices.publication import clause_lookup
from cms.objections.models import Objection


@pytest.fixture
def generated(seeded):
    made_at = timezone.now()
    generate(total=120, seed=20261125, add_child=3, scheduled=2)
    return made_at


def test_nothing_generated_is_dated_after_it_was_made(generated):
    after = timezone.now()
    latest = Objection.objects.aggregate(created=Max("created_at"), answered=Max("answered_at"))
    assert Objection.objects.filter(answered_at__isnull=False).exists()
    assert latest["created"] <= after and latest["answered"] <= after
    assert PageLogEntry.objects.aggregate(last=Max("timestamp"))["last"] <= after


def test_an_export_after_the_data_was_made_sees_no_change(generated):
    lookup = clause_lookup(NoticeIndexPage.objects.select_related("policy").first())
    shared = changes.shared_digest(lookup)
    later = timezone.now() + changes.MARGIN + datetime.timedelta(seconds=1)
    with travel_to(later):
        version = changes.current_version(timezone.now(), shared)
        assert changes.changed_notices(version, timezone.now(), shared) == set()
