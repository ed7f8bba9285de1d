"""The objection list's filters. The notice is found by typing part of its number: a list of every
notice to choose from would grow with the years (and the page with it)."""

import django_filters
from wagtail.admin.filters import WagtailFilterSet

from .models import Objection


class ObjectionFilterSet(WagtailFilterSet):
    notice_number = django_filters.CharFilter(
        label="公告编号",
        field_name="notice__notice_number",
        lookup_expr="icontains",
        help_text="输入公告编号的全部或一部分，如“2026〕8”。",
    )

    class Meta:
        model = Objection
        fields = ["status", "outcome"]
