"""Shared by the portal tests: an OpenAPI document shaped like the objection API's own, a fixed
build time, and the demo site built once per session from a live CMS (``site``)."""

import copy
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.apps import apps
from django.core.management import call_command

from portal.build import build_portal
from portal.client import CMSClient
from portal.notices import NOTICE_TYPE
from portal.objections import form_from_schema
from portal.record import SIGNING_KEY_VARIABLE

ROOT = Path(__file__).resolve().parents[2]
# Where the demo build says the CMS is (test_notices.py checks the forms post there).
CMS_PUBLIC_URL = "http://cms.test.invalid"
# Every page states when it was built (PORTAL_BUILT_AT, else the time Pelican runs): tests pin
# it, so two builds of the same sources are byte for byte the same whenever they run.
BUILT_AT = "2026-11-25T17:15:00+08:00"

OBJECTION_SCHEMA = {
    "openapi": "3.0.3",
    "paths": {
        "/api/objections/": {
            "post": {
                "requestBody": {
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Create"}},
                        "multipart/form-data": {"schema": {"$ref": "#/components/schemas/Create"}},
                    }
                }
            }
        },
        "/api/objections/status/": {
            "post": {
                "requestBody": {
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {"$ref": "#/components/schemas/Lookup"}
                        }
                    }
                }
            }
        },
    },
    "components": {
        "schemas": {
            "Create": {
                "type": "object",
                "properties": {
                    "item": {"type": "integer"},
                    "objector_type": {"$ref": "#/components/schemas/ObjectorTypeEnum"},
                    "real_name": {"type": "string", "maxLength": 50},
                    "organisation": {"type": "string", "maxLength": 200},
                    "phone": {"type": "string", "maxLength": 40},
                    "email": {"type": "string", "format": "email", "maxLength": 254},
                    "postal_address": {"type": "string", "maxLength": 200},
                    "content": {"type": "string", "minLength": 20, "maxLength": 5000},
                    "consent": {"type": "boolean"},
                    "website": {"type": "string", "writeOnly": True},
                },
                "required": [
                    "consent",
                    "content",
                    "email",
                    "item",
                    "objector_type",
                    "phone",
                    "postal_address",
                    "real_name",
                ],
            },
            "ObjectorTypeEnum": {"enum": ["individual", "organisation"], "type": "string"},
            "Lookup": {
                "type": "object",
                "properties": {
                    "receipt_number": {"type": "string", "maxLength": 32},
                    "lookup_code": {"type": "string", "maxLength": 32},
                },
                "required": ["lookup_code", "receipt_number"],
            },
        }
    },
}


@pytest.fixture
def objection_schema() -> dict:
    return copy.deepcopy(OBJECTION_SCHEMA)


@pytest.fixture
def objection_form(objection_schema) -> dict:
    return form_from_schema(objection_schema)


@pytest.fixture(autouse=True)
def fixed_build_time(monkeypatch) -> str:
    monkeypatch.setenv("PORTAL_BUILT_AT", BUILT_AT)
    return BUILT_AT


@pytest.fixture(autouse=True)
def unsigned_record(monkeypatch) -> None:
    """Builds sign the public record only where a test says so, never with the shell's key."""
    monkeypatch.delenv(SIGNING_KEY_VARIABLE, raising=False)


def _build_demo_site(cms_url: str, base: Path) -> SimpleNamespace:
    with open("/dev/null", "w") as quiet:
        call_command("load_seed_policy", stdout=quiet)
        call_command("load_demo_notices", stdout=quiet)
        call_command("load_demo_consultation", stdout=quiet)
        call_command("load_demo_lessons", stdout=quiet)
        call_command("load_demo_site_identity", stdout=quiet)  # every footer's identifiers
    # The demo records an expert panel for its exemptions: the portal must still show none of it.
    assert apps.get_model("notices", "DecisionItem").objects.filter(panel_size__gt=0).exists()

    def build(name: str):
        content = base / name / "content"
        content.mkdir(parents=True)
        shutil.copytree(ROOT / "content" / "pages", content / "pages")
        result = build_portal(cms_url, site_dir=base / name / "site", content_dir=content)
        return result.output, content

    signing_key = Ed25519PrivateKey.generate()
    with pytest.MonkeyPatch.context() as patch:
        # The address the forms post to, as a deployment would set it (read by pelicanconf).
        patch.setenv("CMS_BASE_URL", CMS_PUBLIC_URL)
        patch.delenv(SIGNING_KEY_VARIABLE, raising=False)
        output, content = build("full")
        patch.setattr("portal.listings.LISTING_PAGE_SIZE", 1)
        # The second build signs its public record's head: both kinds get their pages checked.
        patch.setenv(SIGNING_KEY_VARIABLE, signing_pem(signing_key))
        paged_output, _ = build("paged")
    client = CMSClient(cms_url)
    return SimpleNamespace(
        output=output,
        content=content,
        generated=content / "generated",
        paged=paged_output,
        notices=client.pages_of_type(NOTICE_TYPE),
        policies=client.pages_of_type("policies.PolicyPage"),
        lessons=client.pages_of_type("lessons.LessonPage"),
        built_at=BUILT_AT,
        signing_key=signing_key,  # the paged build's
    )


def signing_pem(key: Ed25519PrivateKey) -> str:
    """A private key as ``PUBLIC_RECORD_SIGNING_KEY`` holds it (PEM, PKCS8)."""
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()  # fmt: skip


@pytest.fixture(scope="session")
def _demo_site_cache() -> dict:
    return {}


@pytest.fixture
def site(_demo_site_cache, live_server, tmp_path_factory):
    """The demo site, built on first use by a test marked
    ``django_db(transaction=True, serialized_rollback=True)`` (the build reads the live CMS)."""
    if "site" not in _demo_site_cache:
        base = tmp_path_factory.mktemp("demo")
        _demo_site_cache["site"] = _build_demo_site(live_server.url, base)
    return _demo_site_cache["site"]


# The browser tests' fixtures, shared by the modules that drive Chromium.
from .browser import _module, browser, origin, page  # noqa: E402, F401
