"""The notice editor's form: the guards, shown on the fields they concern, before any save,
and the notice's slug, made from its number."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminPageForm

from cms.domain.errors import GuardError
from cms.domain.programmes import handling_body_for

from . import rules
from .widgets import PlainWidgetRenderer


class DecisionNoticeForm(WagtailAdminPageForm):
    # Inputs, selects and checkbox lists drawn in Python: the same HTML, a fraction of the time
    # on a page with one item form per decision item.
    default_renderer = PlainWidgetRenderer

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for formset in self.formsets.values():
            formset.form_renderer = self.renderer

    def clean_notice_number(self):
        number = self.cleaned_data["notice_number"]
        others = type(self.instance).objects.filter(notice_number=number)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if other := others.first():
            raise forms.ValidationError(
                _("公告编号“%(number)s”已被公告《%(title)s》使用，请核对编号。")
                % {"number": number, "title": other.title}
            )
        return number

    def clean(self):
        cleaned = super().clean()
        self.settle_slug(cleaned.get("notice_number"))
        if self.instance.pk and self.instance.first_published_at is not None:
            self.add_error(None, rules.guard_error("published_is_final").message)
        start = cleaned.get("publicity_start")
        if start is not None:
            try:
                rules.check_publish_start(start, timezone.now())
            except GuardError as error:
                self.add_error("publicity_start", error.message)
        return cleaned

    def settle_slug(self, number: str | None) -> None:
        """A new notice's slug comes from its number, never its title, and follows the number
        when the editor corrects it before the notice is first published; after that the model
        keeps the slug the notice was published with."""
        notice = self.instance
        if not number or notice.first_published_at is not None or self.parent_page is None:
            return
        if notice.pk is None or not notice.slug or number != notice.notice_number:
            notice.notice_number = number
            notice.slug = notice.free_slug(self.parent_page)

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
