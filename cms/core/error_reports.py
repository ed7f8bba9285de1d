"""Error reports (the e-mail to ADMINS, the technical 500 page) never show what a member of the
public sent, in any mode: no POST value, uploaded file name, cookie or raw body; no variable,
setting or dictionary entry whose name says it holds an identity, a contact or a secret
(``HIDDEN_NAMES``); no e-mail address or mobile number in any text shown. Values whose repr
would show submitted data (a DRF serializer's, bytes) are replaced by their kind."""

import dataclasses
import re

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter
from rest_framework.serializers import BaseSerializer

# Django's own list, then the submitters' identity, contacts and secrets (cms.submissions.models).
HIDDEN_NAMES = re.compile(
    "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE"
    "|REAL_NAME|ORIGINAL_NAME|FILENAME|ORGANI[SZ]ATION|PHONE|E_?MAIL|POSTAL|ADDRESS"
    "|RECIPIENT|TO_ADDR|LOOKUP_CODE|IDEMPOTENCY|SEALED|COOKIE|SESSION|CSRF",
    flags=re.IGNORECASE,
)
CONTACTS = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+|(?<!\d)1[3-9]\d{9}(?!\d)")
MAX_DEPTH = 4


def without_contacts(text: str, substitute: str) -> str:
    return CONTACTS.sub(substitute, text)


class PersonalDataReporterFilter(SafeExceptionReporterFilter):
    hidden_settings = HIDDEN_NAMES

    def is_active(self, request):
        return True  # with DEBUG on too: the embedded mode's 500 page is no exception

    def get_post_parameters(self, request):
        if request is None:
            return {}
        try:
            return self.get_cleansed_multivaluedict(request, request.POST)
        except Exception:  # a body that cannot be parsed: show nothing of it
            return {}

    def get_cleansed_multivaluedict(self, request, multivaluedict):
        cleansed = multivaluedict.copy()
        for name in cleansed:
            cleansed.setlist(name, [self.cleansed_substitute])
        return cleansed

    def get_safe_request_meta(self, request):
        return {
            name: without_contacts(value, self.cleansed_substitute)
            if isinstance(value, str)
            else value
            for name, value in super().get_safe_request_meta(request).items()
        }

    def get_safe_cookies(self, request):
        return {name: self.cleansed_substitute for name in getattr(request, "COOKIES", {})}

    def get_traceback_frame_variables(self, request, tb_frame):
        return [
            (name, self.cleanse_variable(name, value))
            for name, value in super().get_traceback_frame_variables(request, tb_frame)
        ]

    def cleanse_variable(self, name, value, depth: int = 0):
        try:
            hidden = bool(HIDDEN_NAMES.search(name))
        except TypeError:  # a key that is not a string
            hidden = False
        if hidden:
            return self.cleansed_substitute
        if depth > MAX_DEPTH:
            return f"<{type(value).__name__}>"
        try:
            return self.cleanse_value(value, depth + 1)
        except Exception:  # a report must never fail over one odd value
            return f"<{type(value).__name__}>"

    def cleanse_value(self, value, depth: int):
        if isinstance(value, str):
            return without_contacts(value, self.cleansed_substitute)
        if isinstance(value, BaseSerializer):  # its repr shows the data it was given
            return f"<{type(value).__name__}: {self.cleansed_substitute}>"
        if isinstance(value, bytes | bytearray | memoryview):  # bodies, uploads, messages
            return f"<{len(value)} bytes>"
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {
                field.name: self.cleanse_variable(field.name, getattr(value, field.name), depth)
                for field in dataclasses.fields(value)
                if field.repr
            }
        if isinstance(value, dict):
            return {key: self.cleanse_variable(key, item, depth) for key, item in value.items()}
        if type(value) in (list, tuple):
            return type(value)(self.cleanse_variable("", item, depth) for item in value)
        if type(value) in (set, frozenset):
            return [self.cleanse_variable("", item, depth) for item in value]
        return value


class PersonalDataExceptionReporter(ExceptionReporter):
    """Django's reporter, without uploaded files' names (a file name can name a person) or any
    e-mail address or mobile number in the exception's message."""

    def get_traceback_data(self):
        data = super().get_traceback_data()
        substitute = self.filter.cleansed_substitute
        if "request_FILES_items" in data:
            data["request_FILES_items"] = [
                (name, substitute) for name, _ in data["request_FILES_items"]
            ]
        if isinstance(data.get("exception_value"), str):
            data["exception_value"] = without_contacts(data["exception_value"], substitute)
        return data
