"""The public API's OpenAPI document: only the public operations, and what a serializer's fields
cannot say on their own."""

import re

from drf_spectacular.extensions import OpenApiSerializerExtension

from .rules import ObjectorType
from .text import pattern

PUBLIC_PATHS = ("/api/objections/", "/api/policy-comments/", "/api/alerts/")


def only_public_api(endpoints):
    """The OpenAPI document describes the public API (objections, comments on draft policies,
    e-mail alerts), not Wagtail's admin API."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(PUBLIC_PATHS)]


class SubmissionSchema(OpenApiSerializerExtension):
    """A public submission's rule across two fields, as ``anyOf``: a submission in an
    organisation's name gives the organisation's name (SubmissionSerializer.validate)."""

    target_class = "cms.submissions.serializers.SubmissionSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        # A pattern, not an enum: drf-spectacular would take an enum here for another choice set.
        others = "|".join(
            re.escape(kind.value) for kind in ObjectorType if kind is not ObjectorType.ORGANISATION
        )
        schema["anyOf"] = [
            {"properties": {self.target.type_field: {"pattern": f"^({others})$"}}},
            {
                "properties": {"organisation": {"pattern": pattern(multiline=False)}},
                "required": ["organisation"],
            },
        ]
        return schema
