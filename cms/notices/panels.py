"""Panels for the decision items' inline forms, drawn without the template engine.

A notice's edit page repeats the item panels once per item (and once more for the empty form
an editor adds an item from): about a dozen fields, each drawn by Wagtail through four nested
templates (the group's child wrapper, ``field_panel.html``, ``field.html``,
``formatted_field.html``) and their icons. These subclasses draw the same elements, classes,
attributes, labels and values in Python (whitespace between tags aside). What they do not
cover goes to Wagtail's templates as before: a field with errors, a read-only field, a group
with help text.
"""

from functools import cache

from django.template.loader import render_to_string
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from wagtail.admin import panels
from wagtail.admin.templatetags.wagtailadmin_tags import fieldtype, icon, widgettype

from .widgets import flat_attrs


@cache
def _icon(name: str) -> SafeString:
    """Wagtail's ``{% icon name=… %}``, drawn by its template once per name."""
    return mark_safe(render_to_string("wagtailadmin/shared/icon.html", icon(name=name)))  # noqa: S308


_add_comment: dict[str | None, str] = {}


def _add_comment_label() -> str:
    """Wagtail's "Add comment", looked up once per language rather than once per field."""
    language = get_language()
    if language not in _add_comment:
        _add_comment[language] = conditional_escape(_("Add comment"))
    return _add_comment[language]


class ItemFieldPanel(panels.FieldPanel):
    """A :class:`~wagtail.admin.panels.FieldPanel` drawn in Python when it is editable and
    without errors, as ``wagtailadmin/shared/formatted_field.html`` draws it."""

    class BoundPanel(panels.FieldPanel.BoundPanel):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            # The label and help text are lazy translations, looked up again at every use;
            # once per field is enough (the request's language does not change meanwhile).
            if self.heading:
                self.heading = str(self.heading)
                if self.bound_field is not None:
                    self.bound_field.label = self.heading
            if self.help_text:
                self.help_text = str(self.help_text)

        def drawn_in_python(self) -> bool:
            return (
                not self.read_only and self.bound_field is not None and not self.bound_field.errors
            )

        def render_html(self, parent_context=None):
            if not self.drawn_in_python():
                return super().render_html(parent_context)
            context = self.get_editable_context_data()
            field = context["field"]
            label_for = field.id_for_label or ""
            help_text = context["help_text"] or field.help_text or ""
            commentable = context["show_add_comment_button"]
            classes = f"w-field w-field--{fieldtype(field)} w-field--{widgettype(field)}"
            if commentable:
                classes += " w-field--commentable"
                described_by = (
                    format_html(' aria-describedby="{}-label"', label_for) if label_for else ""
                )
                comment = format_html(
                    '<button class="w-field__comment-button w-field__comment-button--add" '
                    'type="button" data-component="add-comment-button" data-comment-add '
                    'aria-label="{}"{}>{}{}</button>',
                    _add_comment_label(),
                    described_by,
                    _icon("comment-add"),
                    _icon("comment-add-reversed"),
                )
            else:
                comment = ""
            return format_html(
                '<div class="w-field__wrapper " id="{}" data-field-wrapper>'
                '<div class="{}" data-field{}>'
                '<div class="w-field__errors" data-field-errors id="{}"></div>'
                '<div class="w-field__help" id="{}" data-field-help>{}</div>'
                '<div class="w-field__input" data-field-input>{}{}</div>'
                "</div></div>",
                context["wrapper_id"],
                classes,
                format_html(' data-contentpath="{}"', field.name) if field.name else "",
                context["error_message_id"],
                context["help_text_id"],
                format_html('<div class="help">{}</div>', help_text) if help_text else "",
                context["rendered_field"],
                comment,
            )


def _child_wrapper(child, parent_context) -> str:
    """``wagtailadmin/panels/multi_field_panel_child.html``: a child panel's wrapper, its label
    and the child as it draws itself."""
    classes = " ".join(c.strip() for c in ["w-panel__wrapper", *child.classes()] if c)
    label = ""
    if child.heading:
        content = conditional_escape(child.heading)
        if child.is_required():
            content += mark_safe('<span class="w-required-mark">*</span>')
        label_for = child.id_for_label()
        if getattr(child, "read_only", False):
            label = format_html(
                '<h3 class="w-field__label" id="{}-label">{}</h3>', label_for, content
            )
        elif label_for:
            label = format_html(
                '<label class="w-field__label" for="{0}" id="{0}-label">{1}</label>',
                label_for,
                content,
            )
        else:
            label = format_html('<h3 class="w-field__label">{}</h3>', content)
    return format_html(
        '<div class="{}"{}>{}{}</div>',
        classes,
        mark_safe(flat_attrs(child.attrs or {})),  # noqa: S308 (escaped by flat_attrs)
        label,
        child.render_html(parent_context),
    )


def _children(panel, parent_context) -> str:
    """A group's visible children, each in its wrapper."""
    return "".join(_child_wrapper(child, parent_context) for child in panel.visible_children)


class ItemFieldRowPanel(panels.FieldRowPanel):
    """A :class:`~wagtail.admin.panels.FieldRowPanel` drawn in Python, as
    ``field_row_panel.html`` draws it (its children each as they draw themselves)."""

    class BoundPanel(panels.FieldRowPanel.BoundPanel):
        def render_html(self, parent_context=None):
            if self.help_text:
                return super().render_html(parent_context)
            children = _children(self, parent_context)
            # The row's classes as Wagtail's field_row tag writes them, with no options given.
            return format_html('<div class="w-field-row  ">{}</div>', mark_safe(children))  # noqa: S308


class ItemMultiFieldPanel(panels.MultiFieldPanel):
    """A :class:`~wagtail.admin.panels.MultiFieldPanel` drawn in Python, as
    ``multi_field_panel.html`` draws it (its children each as they draw themselves)."""

    class BoundPanel(panels.MultiFieldPanel.BoundPanel):
        def render_html(self, parent_context=None):
            if self.help_text:
                return super().render_html(parent_context)
            return mark_safe(_children(self, parent_context))  # noqa: S308 (drawn with format_html)
