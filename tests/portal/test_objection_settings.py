"""What the objection form takes from the API's OpenAPI document, without a CMS."""

import pytest

from portal.dates import deadline_zh
from portal.objections import ObjectionSchemaError, form_from_schema, megabytes


def test_fields_and_lengths_come_from_the_schema(objection_form):
    fields = objection_form["fields"]
    assert fields["content"] == {"required": True, "min_length": 20, "max_length": 5000}
    assert fields["real_name"]["max_length"] == 50 and fields["real_name"]["required"]
    assert not fields["organisation"]["required"] and not fields["website"]["required"]
    assert objection_form["lookup_fields"]["lookup_code"]["required"]
    assert objection_form["create_path"] == "/api/objections/"
    assert objection_form["status_path"] == "/api/objections/status/"


def test_evidence_limits_from_the_schema_when_it_describes_them(objection_schema, monkeypatch):
    monkeypatch.setenv("OBJECTION_MAX_FILES", "9")
    create = objection_schema["components"]["schemas"]["Create"]
    create["properties"]["evidence"] = {
        "type": "array",
        "items": {"type": "string", "format": "binary", "maxLength": 3 * 1024 * 1024 // 2},
        "maxItems": 3,
    }
    evidence = form_from_schema(objection_schema)["evidence"]
    assert (evidence["max_files"], evidence["max_file_bytes"]) == (3, 1572864)
    assert evidence["max_file_mb"] == "1.5"


def test_evidence_limits_otherwise_from_the_variables_the_cms_reads(objection_schema, monkeypatch):
    monkeypatch.delenv("OBJECTION_MAX_FILES", raising=False)
    monkeypatch.delenv("OBJECTION_MAX_FILE_BYTES", raising=False)
    evidence = form_from_schema(objection_schema)["evidence"]
    assert (evidence["max_files"], evidence["max_file_bytes"]) == (5, 10 * 1024 * 1024)
    monkeypatch.setenv("OBJECTION_MAX_FILES", "2")
    monkeypatch.setenv("OBJECTION_MAX_FILE_BYTES", str(4 * 1024 * 1024))
    evidence = form_from_schema(objection_schema)["evidence"]
    assert (evidence["max_files"], evidence["max_file_mb"]) == (2, "4")
    monkeypatch.setenv("OBJECTION_MAX_FILES", "five")
    with pytest.raises(ObjectionSchemaError, match="OBJECTION_MAX_FILES"):
        form_from_schema(objection_schema)


def test_a_form_field_the_api_does_not_take_stops_the_build(objection_schema):
    properties = objection_schema["components"]["schemas"]["Create"]["properties"]
    address = properties.pop("postal_address")
    with pytest.raises(ObjectionSchemaError, match="postal_address"):
        form_from_schema(objection_schema)
    properties["postal_address"] = address
    del objection_schema["paths"]["/api/objections/status/"]
    with pytest.raises(ObjectionSchemaError, match="no POST /api/objections/status/"):
        form_from_schema(objection_schema)


def test_megabytes_and_deadlines_read_as_people_say_them():
    assert megabytes(10 * 1024 * 1024) == "10"
    assert deadline_zh("2026-03-10T00:00:00+08:00") == "2026年3月9日24时（北京时间）"
    assert deadline_zh("2026-03-09T16:00:00+00:00") == "2026年3月9日24时（北京时间）"
    assert deadline_zh("2026-03-09T12:30:00+08:00") == "2026年3月9日12:30（北京时间）"
