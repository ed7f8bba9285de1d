"""The failure report's editor form: the de-identification guard, on the field concerned."""

from wagtail.admin.forms import WagtailAdminPageForm

from . import rules
from .texts import TEXT_FIELDS, identifiers_of


class LessonPageForm(WagtailAdminPageForm):
    def clean(self):
        cleaned = super().clean()
        texts = {
            name: cleaned.get(name, getattr(self.instance, name, "")) or "" for name in TEXT_FIELDS
        }
        identifiers = identifiers_of(cleaned.get("related_notice"))
        for error in rules.check_deidentified(texts, identifiers):
            field = error.field if error.field in self.fields else None
            self.add_error(field, error.message)
        return cleaned
