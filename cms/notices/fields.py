"""A list of clause codes stored as JSON and edited as checkboxes."""

from django import forms
from django.db import models


class CodeListField(models.JSONField):
    """Codes such as ``["A1", "A3"]``; the admin shows one checkbox per allowed code."""

    def __init__(self, *args, code_choices=(), **kwargs):
        self.code_choices = list(code_choices)
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["code_choices"] = self.code_choices
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        return forms.MultipleChoiceField(
            choices=self.code_choices,
            required=not self.blank,
            widget=forms.CheckboxSelectMultiple,
            label=self.verbose_name,
            help_text=self.help_text,
        )
