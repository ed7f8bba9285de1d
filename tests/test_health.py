"""/healthz: 200 while the database answers, 503 with a JSON body when it does not (with
production settings and a real unreachable PostgreSQL: tests/test_production.py)."""

import pytest
from django.db import OperationalError, connection


@pytest.mark.django_db
def test_healthy(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_failing_database_gives_503_and_json(client, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "db" failed: Connection refused')

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "error", "database": "unreachable"}
    assert "Connection refused" in caplog.text  # the reason is logged, not returned
