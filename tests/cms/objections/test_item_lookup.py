"""The item an objection names, found by ``find_public_item``: the query of ``public_items()``,
compiled once, gives the same item and notice as the ORM does, and nothing for an item the
public cannot see."""

import pytest
from django.forms.models import model_to_dict
from wagtail.models import PageViewRestriction

from cms.objections.serializers import NOTICE_CORRECTED, find_public_item, public_items

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
