"""The read API (``/api/v3/``) fuzzed from its own OpenAPI document (schemathesis), as the
public write APIs are (tests/cms/objections/test_api_fuzz.py, whose in-process application and
runner this reuses): parameters the document calls valid and invalid, to every operation, over
a site with live notices and a public record; never a 5xx. Derandomized."""

from collections import Counter

import pytest
import schemathesis
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error

from ..notices.conftest import make_notice, notice_index  # noqa: F401
from ..objections.test_api_fuzz import InProcessApp, fuzz

pytestmark = pytest.mark.django_db
EXAMPLES = {
    schemathesis.GenerationMode.POSITIVE: 25,
    schemathesis.GenerationMode.NEGATIVE: 25,
}


def test_every_read_answers_without_a_server_error(make_notice, monkeypatch):  # noqa: F811
    make_notice(publish=True)
    make_notice(publish=True, started_days_ago=30)
    monkeypatch.setattr(
        "tests.cms.objections.test_api_fuzz.CHECKS", [not_a_server_error], raising=True
    )
    schema = schemathesis.openapi.from_wsgi("/api/v3/openapi.json", InProcessApp())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/v3/export/", "/api/v3/record/"}
    statuses: Counter = Counter()

    def count(response):
        assert response.status_code < 500, response.text[:500]
        statuses[response.status_code] += 1

    calls: Counter = Counter()
    for operation in operations:
        for mode, examples in EXAMPLES.items():
            try:
                calls[operation.path] += fuzz(operation, mode, examples, lambda case: None, count)
            except Unsatisfiable:  # no parameter to make invalid (e.g. /api/v3/site/)
                assert mode is schemathesis.GenerationMode.NEGATIVE
    for path in ("/api/v3/export/", "/api/v3/record/", "/api/v3/notices/", "/api/v3/pages/"):
        assert calls[path] >= 40, calls
    assert statuses[200] > 0 and any(status >= 400 for status in statuses), statuses
