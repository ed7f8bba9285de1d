"""``{% staff_roles groups as roles %}``: the roles among ``groups`` (groups, or all groups when
omitted) with their descriptions, for the admin's group listing and user form."""

from django import template
from django.contrib.auth.models import Group

from ..roles import described_roles

register = template.Library()


@register.simple_tag
def staff_roles(groups=None) -> list[tuple[str, str]]:
    if groups is None or groups == "":  # not given, or not in the template's context
        return described_roles(Group.objects.values_list("name", flat=True))
    return described_roles(group.name for group in groups)
