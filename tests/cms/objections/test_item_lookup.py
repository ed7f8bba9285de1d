"""The item an objection names, found by ``find_public_item``: the query of ``public_items()``,
compiled once, gives the same item and notice as the ORM does, and nothing for an item the
public cannot see. Given an Idempotency-Key, the same query brings the objection already stored
under that key, as the ORM gives it, or None."""

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from cms.objections.models import Objection
from cms.objections.serializers import (
    NOTICE_CORRECTED,
    OBJECTION_WITH_KEY,
    find_public_item,
    public_items,
)

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {
        field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields
    }


def test_the_item_and_its_notice_are_those_the_orm_gives(item):
    expected = public_items().get(pk=item.pk)
    found = find_public_item(item.pk)
    assert model_to_dict(found) == model_to_dict(expected)
    assert _fields(found) == _fields(expected)
    assert _fields(found.notice) == _fields(expected.notice)
    assert getattr(found, NOTICE_CORRECTED) is getattr(expected, NOTICE_CORRECTED) is False
    assert found.notice.specific is found.notice


def test_an_item_that_does_not_exist_is_none(item):
    assert find_public_item(item.pk + 10_000) is None


def test_an_item_under_a_view_restriction_is_none(item, open_notice):
    PageViewRestriction.objects.create(page=open_notice, restriction_type="login")
    assert find_public_item(item.pk) is None


def test_a_live_correction_comes_with_the_item(item, open_notice, editor):
    from cms.notices.services import start_correction

    start_correction(open_notice, editor).save_revision().publish()
    assert getattr(find_public_item(item.pk), NOTICE_CORRECTED) is True


def test_with_a_key_the_same_query_brings_the_objection_stored_under_it(api, payload, item):
    key = "lookup-key-0001"
    assert api.post("/api/objections/", payload, format="json",
                    HTTP_IDEMPOTENCY_KEY=key).status_code == 201  # fmt: skip
    expected = Objection.objects.get()
    with CaptureQueriesContext(connection) as queries:
        found = find_public_item(item.pk, key)
    assert len(queries) == 1
    assert _fields(found) == _fields(public_items().get(pk=item.pk))
    assert _fields(found.notice) == _fields(public_items().get(pk=item.pk).notice)
    assert getattr(found, NOTICE_CORRECTED) is False
    stored = getattr(found, OBJECTION_WITH_KEY)
    assert stored.key_digest == expected.idempotency_key_hash
    assert _fields(stored.objection) == _fields(expected)
    assert not stored.objection._state.adding


def test_with_a_key_never_used_the_item_comes_with_no_objection(item):
    found = find_public_item(item.pk, "lookup-key-0002")
    assert _fields(found) == _fields(public_items().get(pk=item.pk))
    assert getattr(found, OBJECTION_WITH_KEY).objection is None


def test_with_a_key_an_item_the_public_cannot_see_is_still_none(item, open_notice):
    PageViewRestriction.objects.create(page=open_notice, restriction_type="login")
    assert find_public_item(item.pk, "lookup-key-0003") is None


def test_without_a_key_no_objection_is_looked_up(item):
    with CaptureQueriesContext(connection) as queries:
        found = find_public_item(item.pk)
    assert len(queries) == 1 and "objections_objection" not in queries[0]["sql"]
    assert not hasattr(found, OBJECTION_WITH_KEY)
