"""Form widgets drawn without the template engine, for the notice editor.

A notice's edit page has one item form per decision item, each with about a dozen inputs and
fourteen checkboxes; Django draws every input, option and attribute list through a template of
its own. :class:`PlainWidgetRenderer` draws Django's stock widget templates (inputs, selects,
checkbox lists, text areas) in Python instead, byte for byte as the templates do; any other
template (Wagtail's own widgets, an app's override) goes to the template engine as before.
The widgets themselves are untouched, so their classes, names and scripts stay the same.
"""

from collections.abc import Callable, Mapping

from django.forms.renderers import BaseRenderer, get_default_renderer
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime

WIDGETS = "django/forms/widgets/"


def _text(value) -> str:
    """``{{ value }}``: localised as the template engine does, escaped unless already safe."""
    if not isinstance(value, str):
        value = localize(template_localtime(value))
    return conditional_escape(value)


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}``: the value as text, escaped unless already safe."""
    if isinstance(value, SafeData):
        return value
    return conditional_escape(str(value))


def flat_attrs(attrs: Mapping) -> str:
    """``django/forms/widgets/attrs.html``: ``False`` leaves the attribute out, ``True`` writes
    its name alone."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {_text(name)}")
        else:
            out.append(f' {_text(name)}="{_formatted(value)}"')
    return "".join(out)


def render_input(widget: Mapping) -> str:
    """``input.html`` (and text, number, email, hidden… which only include it), with the
    newline that ends the template's file."""
    value = widget["value"]
    shown = "" if value is None else f' value="{_formatted(value)}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{shown}'
        f"{flat_attrs(widget['attrs'])}>\n"
    )


def render_input_option(option: Mapping) -> str:
    """``input_option.html``."""
    if not option["wrap_label"]:
        return render_input(option) + "\n"
    label_id = option["attrs"].get("id")
    opening = f'<label for="{_text(label_id)}">' if label_id else "<label>"
    return f"{opening}{render_input(option)} {_text(option['label'])}</label>\n"


def render_choice_option(option: Mapping) -> str:
    """``checkbox_option.html`` and ``radio_option.html``: ``input_option.html`` and the
    newline that ends their own file."""
    return render_input_option(option) + "\n"


def render_select_option(option: Mapping) -> str:
    """``select_option.html``."""
    return (
        f'<option value="{_formatted(option["value"])}"{flat_attrs(option["attrs"])}>'
        f"{_text(option['label'])}</option>\n"
    )


OPTION_RENDERERS: dict[str, Callable[[Mapping], str]] = {
    WIDGETS + "select_option.html": render_select_option,
    WIDGETS + "checkbox_option.html": render_choice_option,
    WIDGETS + "radio_option.html": render_choice_option,
    WIDGETS + "input_option.html": render_input_option,
}


def _options(options: list[Mapping]) -> list[str] | None:
    """Each option drawn, or ``None`` if one has a template this module does not draw."""
    drawn = []
    for option in options:
        draw = OPTION_RENDERERS.get(option["template_name"])
        if draw is None:
            return None
        drawn.append(draw(option))
    return drawn


def render_select(widget: Mapping) -> str | None:
    """``select.html``; ``None`` if an option has a template of its own."""
    out = [f'<select name="{_text(widget["name"])}"{flat_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if (drawn := _options(group_choices)) is None:
            return None
        if group_name:
            out.append(f'\n  <optgroup label="{_text(group_name)}">')
        out.extend(f"\n  {option}" for option in drawn)
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>\n")
    return "".join(out)


def render_multiple_input(widget: Mapping) -> str | None:
    """``multiple_input.html`` (checkbox and radio lists); ``None`` as for a select."""
    attrs = widget["attrs"]
    out = ["<div"]
    if attrs.get("id"):
        out.append(f' id="{_text(attrs["id"])}"')
    if attrs.get("class"):
        out.append(f' class="{_text(attrs["class"])}"')
    out.append(">")
    for group, options, _index in widget["optgroups"]:
        if (drawn := _options(options)) is None:
            return None
        if group:
            out.append(f"\n  <div><label>{_text(group)}</label>")
        out.extend(f"<div>\n    {option}</div>" for option in drawn)
        if group:
            out.append("\n  </div>")
    out.append("\n</div>\n")
    return "".join(out)


def render_textarea(widget: Mapping) -> str:
    """``textarea.html``."""
    value = widget["value"]
    return (
        f'<textarea name="{_text(widget["name"])}"{flat_attrs(widget["attrs"])}>\n'
        f"{_text(value) if value else ''}</textarea>\n"
    )


#: Django's templates that only include ``input.html``.
INPUT_TEMPLATES = (
    *("input.html", "text.html", "number.html", "email.html", "url.html", "tel.html"),
    *("password.html", "hidden.html", "search.html", "color.html", "date.html"),
    *("datetime.html", "time.html"),
)

#: Django's widget templates this renderer draws itself. Each takes the template's ``widget``
#: context; ``None`` sends the widget to the template engine after all.
WIDGET_RENDERERS: dict[str, Callable[[Mapping], str | None]] = {
    **{WIDGETS + name: render_input for name in INPUT_TEMPLATES},
    WIDGETS + "select.html": render_select,
    WIDGETS + "checkbox_select.html": render_multiple_input,
    WIDGETS + "radio.html": render_multiple_input,
    WIDGETS + "multiple_input.html": render_multiple_input,
    WIDGETS + "textarea.html": render_textarea,
}


class PlainWidgetRenderer(BaseRenderer):
    """Django's form renderer (``fallback``: the default one), with Django's stock widget
    templates drawn in Python."""

    def __init__(self, fallback: BaseRenderer | None = None):
        self.fallback = fallback or get_default_renderer()
        self.form_template_name = self.fallback.form_template_name
        self.formset_template_name = self.fallback.formset_template_name
        self.field_template_name = self.fallback.field_template_name
        self.bound_field_class = getattr(self.fallback, "bound_field_class", None)

    def get_template(self, template_name):
        return self.fallback.get_template(template_name)

    def render(self, template_name, context, request=None):
        draw = WIDGET_RENDERERS.get(template_name)
        if draw is not None and "widget" in context:
            drawn = draw(context["widget"])
            if drawn is not None:
                # The template engine's output, stripped as BaseRenderer.render strips it.
                return mark_safe(drawn.strip())  # noqa: S308 (every value above is escaped)
        return self.fallback.render(template_name, context, request=request)
