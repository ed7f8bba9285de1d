"""The notice editor's form: the guards, shown on the fields they concern, before any save."""

from django.utils import timezone
from wagtail.admin.forms import WagtailAdminPageForm

from cms.domain.errors import GuardError
from cms.domain.programmes import handling_body_for

from . import rules


class DecisionNoticeForm(WagtailAdminPageForm):
    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.instance.first_published_at is not None:
            self.add_error(None, rules.guard_error("published_is_final").message)
        start = cleaned.get("publicity_start")
        if start is not None:
            try:
                rules.check_publish_start(start, timezone.now())
            except GuardError as error:
                self.add_error("publicity_start", error.message)
        return cleaned

    def is_valid(self):
        valid = super().is_valid()
        # Cross-item rules need every item's cleaned data, available only after the formsets.
        items = self.formsets.get("items")
        if items is None or not hasattr(items, "cleaned_data"):
            return valid
        programmes = [
            data["programme"]
            for data in items.cleaned_data
            if data and not data.get("DELETE") and data.get("programme")
        ]
        try:
            handling_body_for(programmes)
        except GuardError as error:
            self.add_error(None, error.message)
            return False
        return valid
