"""Shared by the portal tests: an OpenAPI document shaped like the objection API's own."""

import copy

import pytest

from portal.objections import form_from_schema

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
