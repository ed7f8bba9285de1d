"""The objection form on notice pages, the page on how to object and the lookup page.

The form posts to the CMS's objection API, so what it asks for and what it allows is the API's:
the field names, which are required and their lengths are read from the API's OpenAPI document
at export time (``/api/schema/``) and handed to the templates, which render them as ``required``,
``maxlength`` and ``data-`` attributes for the browser and the script. A field the form sends that
the API no longer knows stops the build instead of publishing a form that cannot succeed.
"""

import os
from collections.abc import Sequence
from typing import Any

from .urls import OBJECTION_STATUS_URL, OBJECTIONS_URL, page_file

CREATE_PATH = "/api/objections/"
STATUS_PATH = "/api/objections/status/"

# The fields the portal's form sends, in the order the form shows them.
FORM_FIELDS = (
    "item", "objector_type", "organisation", "real_name", "phone", "email", "postal_address",
    "content", "consent", "website",
)  # fmt: skip
LOOKUP_FIELDS = ("receipt_number", "lookup_code")

# Evidence files travel as the multipart part ``evidence``. When the OpenAPI document describes
# that part (an array with ``maxItems``, whose binary items carry ``maxLength`` in bytes) its
# numbers are used; until then the environment variables the CMS itself reads, with its defaults,
# so one deployment's configuration sets both.
DEFAULT_MAX_FILES = 5
DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024
EVIDENCE_ACCEPT = ".pdf,.jpg,.jpeg,.png,.ofd"
EVIDENCE_TYPES_LABEL = "PDF、JPEG、PNG、OFD"


class ObjectionSchemaError(ValueError):
    """The objection API does not describe what the portal's form sends."""


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    reference = node.get("$ref", "")
    if not reference:
        return node
    if not reference.startswith("#/"):
        raise ObjectionSchemaError(f"Unsupported reference in the API schema: {reference}")
    target: Any = schema
    try:
        for part in reference[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
    except (KeyError, TypeError) as exc:
        raise ObjectionSchemaError(f"Broken reference in the API schema: {reference}") from exc
    return target


def _request_body(schema: dict[str, Any], path: str, media_type: str) -> dict[str, Any]:
    try:
        content = schema["paths"][path]["post"]["requestBody"]["content"]
    except KeyError as exc:
        raise ObjectionSchemaError(f"The CMS's API schema has no POST {path}") from exc
    if media_type not in content:
        raise ObjectionSchemaError(f"POST {path} does not accept {media_type}")
    return _resolve(schema, content[media_type]["schema"])


def _fields(body: dict[str, Any], names: Sequence[str], path: str) -> dict[str, dict]:
    properties = body.get("properties") or {}
    missing = [name for name in names if name not in properties]
    if missing:
        raise ObjectionSchemaError(f"POST {path} no longer takes the form's fields {missing}")
    required = set(body.get("required") or [])
    return {
        name: {
            "required": name in required,
            "min_length": properties[name].get("minLength"),
            "max_length": properties[name].get("maxLength"),
        }
        for name in names
    }


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ObjectionSchemaError(f"{name} must be a whole number, not {value!r}") from exc


def megabytes(size: int) -> str:
    """10485760 → '10'; 1572864 → '1.5' (MB of 1024 × 1024 bytes, as the API states them)."""
    value = size / (1024 * 1024)
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def _evidence(body: dict[str, Any]) -> dict[str, Any]:
    described = (body.get("properties") or {}).get("evidence") or {}
    max_files = described.get("maxItems")
    max_bytes = (described.get("items") or {}).get("maxLength")
    if max_files is None:
        max_files = _env_int("OBJECTION_MAX_FILES", DEFAULT_MAX_FILES)
    if max_bytes is None:
        max_bytes = _env_int("OBJECTION_MAX_FILE_BYTES", DEFAULT_MAX_FILE_BYTES)
    return {
        "max_files": max_files,
        "max_file_bytes": max_bytes,
        "max_file_mb": megabytes(max_bytes),
        "accept": EVIDENCE_ACCEPT,
        "types_label": EVIDENCE_TYPES_LABEL,
    }


def submission_form(
    schema: dict[str, Any],
    create_path: str,
    status_path: str,
    form_fields: Sequence[str],
    *,
    with_evidence: bool,
) -> dict[str, Any]:
    """A submission form and its lookup form, as the API at ``create_path`` and ``status_path``
    describes them: which fields are required and their lengths (and the evidence limits for a
    form that sends files). Comments on a draft policy use it too (:mod:`portal.consultation`)."""
    body = _request_body(schema, create_path, "multipart/form-data")
    lookup = _request_body(schema, status_path, "application/x-www-form-urlencoded")
    form = {
        "create_path": create_path,
        "status_path": status_path,
        "fields": _fields(body, form_fields, create_path),
        "lookup_fields": _fields(lookup, LOOKUP_FIELDS, status_path),
    }
    if with_evidence:
        form["evidence"] = _evidence(body)
    return form


def form_from_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """What the templates need to render both forms, from the API's OpenAPI document."""
    form = submission_form(schema, CREATE_PATH, STATUS_PATH, FORM_FIELDS, with_evidence=True)
    return {**form, "guide_url": OBJECTIONS_URL, "status_url": OBJECTION_STATUS_URL}


def fetch_form(client) -> dict[str, Any]:
    """The form settings, read from the CMS over HTTP (a :class:`portal.client.CMSClient`)."""
    return form_from_schema(client.openapi_schema())


def page_sources(form: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The page on how to object, and the lookup page, keyed by their source file."""

    def source(title: str, slug: str, template: str, url: str) -> dict[str, Any]:
        metadata = {
            "title": title,
            "slug": slug,
            "template": template,
            "url": url,
            "save_as": page_file(url),
        }
        return {"metadata": metadata, "cms": {"form": form}}

    return {
        "objections/guide.json": source(
            "如何提出异议", "objections", "objection_guide", OBJECTIONS_URL
        ),
        "objections/status.json": source(
            "查询异议处理结果", "objections-status", "objection_status", OBJECTION_STATUS_URL
        ),
    }
