"""``{{ codename|page_permission_label }}``: a page permission's label as the group form's column
heading gives it (添加/编辑所属的页面), for the checkbox's screen-reader label, instead of the
permission's stored English name (Can add page)."""

from django import template
from wagtail.models import Page

register = template.Library()


@register.filter
def page_permission_label(codename, fallback: str = "") -> str:
    labels = {name: long_label for name, _short, long_label in Page.permission_types}
    return str(labels.get(str(codename), fallback))
