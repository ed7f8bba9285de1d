"""The notice editor's inputs and item panels are drawn in Python, not by templates: the same
HTML as Django's widget templates (byte for byte) and Wagtail's panel templates (the same
elements, attributes, labels, values and checked boxes; whitespace between tags aside)."""

import re

import pytest
from django import forms
from django.forms.renderers import get_default_renderer
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from wagtail.admin import panels

from cms.notices.forms import DecisionNoticeForm
from cms.notices.panels import ItemFieldPanel, ItemFieldRowPanel, ItemMultiFieldPanel
from cms.notices.services import start_correction
from cms.notices.widgets import PlainWidgetRenderer

from .conftest import exempted_item, rejected_item
from .test_guards import _form_data, _item_data, today

CHOICES = [("a", "甲 <b>"), ("b&c", gettext_lazy("Add comment")), (3, 4)]
GROUPED = [("组一", [("x", "X"), ("y", "Y")]), ("z", "Z"), ("", [("w", "W")])]

WIDGETS = [
    (forms.TextInput(), "text", None),
    (forms.TextInput(attrs={"maxlength": 64, "required": True, "hidden": False}), "t", "值"),
    (forms.TextInput(), "t", 'a "quoted" <b> & value'),
    (forms.TextInput(), "t", mark_safe("<i>safe</i>")),
    (forms.NumberInput(), "n", 5),
    (forms.NumberInput(), "n", ""),
    (forms.EmailInput(), "e", "x@example.invalid"),
    (forms.HiddenInput(attrs={"value": 3}), "h", None),
    (forms.DateInput(), "d", "2026-12-07"),
    (forms.Textarea(), "ta", "第一行\n<第二行>"),
    (forms.Textarea(attrs={"rows": 3}), "ta", ""),
    (forms.Select(choices=CHOICES), "s", "b&c"),
    (forms.Select(choices=[("", "---------"), *CHOICES]), "s", None),
    (forms.Select(choices=GROUPED), "s", "y"),
    (forms.SelectMultiple(choices=CHOICES), "sm", ["a", "3"]),
    (forms.CheckboxSelectMultiple(choices=CHOICES), "c", ["a", 3]),
    (forms.CheckboxSelectMultiple(choices=CHOICES), "c", []),
    (forms.CheckboxSelectMultiple(choices=GROUPED, attrs={"class": "k"}), "c", ["w", "x"]),
    (forms.RadioSelect(choices=CHOICES), "r", "a"),
    (forms.CheckboxInput(), "cb", True),
]


@pytest.mark.parametrize(("widget", "name", "value"), WIDGETS)
@pytest.mark.parametrize("attrs", [None, {"id": "id_f", "aria-describedby": "f-help"}])
def test_widgets_are_drawn_as_djangos_templates_draw_them(widget, name, value, attrs):
    plain = widget.render(name, value, attrs=attrs, renderer=PlainWidgetRenderer())
    templated = widget.render(name, value, attrs=attrs, renderer=get_default_renderer())
    assert plain == templated


def test_a_widget_with_a_template_of_its_own_goes_to_the_template_engine():
    class Custom(forms.CheckboxSelectMultiple):
        option_template_name = "django/forms/widgets/select_option.html"

    widget = Custom(choices=CHOICES)
    plain = widget.render("c", ["a"], renderer=PlainWidgetRenderer())
    assert plain == widget.render("c", ["a"], renderer=get_default_renderer())
    assert "<option" in plain


# --- the whole edit page, drawn both ways -----------------------------------------------------


def _comparable(body: str) -> str:
    """The page with what differs from one request to the next (tokens, the editing session,
    relative times) and whitespace between tags taken out."""
    body = re.sub(r'"CSRF_TOKEN": "[^"]*"', "", body)
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)
    body = re.sub(r"editing-sessions/(ping/wagtailcore/page/\d+|release)/\d+/", "", body)
    body = re.sub(r"(<time[^>]*>)[^<]*(</time>)", r"\1\2", body)
    body = re.sub(r"\s+", " ", body)
    return re.sub(r"\s*([<>])\s*", r"\1", body)


def _drawn_by_templates(monkeypatch) -> None:
    """Wagtail's and Django's templates again, for the same panels and widgets."""
    monkeypatch.setattr(DecisionNoticeForm, "default_renderer", None)
    for ours, wagtails in (
        (ItemFieldPanel, panels.FieldPanel),
        (ItemFieldRowPanel, panels.FieldRowPanel),
        (ItemMultiFieldPanel, panels.MultiFieldPanel),
    ):
        monkeypatch.setattr(ours.BoundPanel, "render_html", wagtails.BoundPanel.render_html)


def _both_ways(monkeypatch, request_page) -> tuple[str, str, int, int]:
    plain = request_page()
    with monkeypatch.context() as patched:
        _drawn_by_templates(patched)
        templated = request_page()
    assert plain.status_code == templated.status_code
    return (
        _comparable(plain.content.decode()),
        _comparable(templated.content.decode()),
        len(plain.templates),
        len(templated.templates),
    )


@pytest.mark.django_db
def test_a_notices_edit_page_is_the_same_as_the_templates_draw_it(
    admin_client, make_notice, monkeypatch
):
    items = [
        exempted_item("ZJ2026-001", grounds=["A1", "A3"]),
        rejected_item("ZJ2026-002", reasons=["X2", "no_ground"], explanation='说明 <b>&"'),
        exempted_item("ZJ2026-003", project_name="名称 <script>", panel_size=None),
    ]
    notice = make_notice(items=items)
    url = f"/admin/pages/{notice.pk}/edit/"
    plain, templated, plain_templates, templates = _both_ways(
        monkeypatch, lambda: admin_client.get(url)
    )
    assert plain == templated
    boxes = re.findall(r'<input type="checkbox" name="items-\w+-(?:grounds|reasons)"[^>]*>', plain)
    assert len(boxes) == (3 + 1) * 14  # three items and the empty form, 5 grounds and 9 reasons
    assert len([box for box in boxes if " checked" in box]) == 2 + 2 + 1
    assert "名称 &lt;script&gt;" in plain
    # Drawn in Python: no template per item field, option or attribute list.
    assert plain_templates < templates // 2


@pytest.mark.django_db
def test_a_corrections_edit_page_is_the_same_for_an_approver(
    client, make_notice, approver, monkeypatch
):
    correction = start_correction(make_notice(publish=True), approver)
    client.force_login(approver)
    url = f"/admin/pages/{correction.pk}/edit/"
    plain, templated, _, _ = _both_ways(monkeypatch, lambda: client.get(url))
    assert plain == templated


@pytest.mark.django_db
def test_a_refused_form_shows_its_errors_as_the_templates_draw_them(
    admin_client, notice_index, monkeypatch
):
    url = f"/admin/pages/add/notices/decisionnoticepage/{notice_index.pk}/"
    items = [_item_data(panel_size="3"), _item_data(project_code="ZJ2026-011", project_name="")]

    def post():
        return admin_client.post(url, _form_data([dict(item) for item in items], today()))

    plain, templated, _, _ = _both_ways(monkeypatch, post)
    assert plain == templated
    assert "专家组应不少于5人，现为3人" in plain
    assert "w-field--error" in plain


@pytest.mark.django_db
def test_the_item_forms_and_the_empty_one_draw_their_inputs_in_python(admin_client, make_notice):
    notice = make_notice()
    form = admin_client.get(f"/admin/pages/{notice.pk}/edit/").context["form"]
    items = form.formsets["items"]
    assert isinstance(form.renderer, PlainWidgetRenderer)
    assert all(isinstance(f.renderer, PlainWidgetRenderer) for f in [*items, items.empty_form])
