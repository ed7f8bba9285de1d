"""`make test` runs the suite twice: on SQLite, then on a throwaway PostgreSQL cluster that
deploy/ci/with-postgres.sh starts. These tests make sure each pass runs on the database it
claims, that every migration (data migrations included) ran forward on it, and that the
script refuses to skip PostgreSQL in CI."""

import os
import subprocess
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

ROOT = Path(__file__).resolve().parent.parent
WITH_POSTGRES = ROOT / "deploy" / "ci" / "with-postgres.sh"


def expected_vendor() -> str | None:
    if os.environ.get("EXPECT_DATABASE_VENDOR"):
        return os.environ["EXPECT_DATABASE_VENDOR"]
    return None if os.environ.get("DATABASE_URL") else "sqlite"


@pytest.mark.django_db
def test_the_suite_runs_on_the_database_it_claims():
    vendor = expected_vendor()
    if vendor is None:
        pytest.skip("DATABASE_URL is set without EXPECT_DATABASE_VENDOR")
    assert connection.vendor == vendor
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_encoding")
            assert cursor.fetchone()[0] == "UTF8"
        assert connection.settings_dict["NAME"].startswith("test_")


@pytest.mark.django_db
def test_every_migration_ran_forward_on_this_database():
    from django.contrib.auth.models import Group

    loader = MigrationLoader(connection)
    on_disk = set(loader.disk_migrations)
    assert on_disk <= loader.applied_migrations.keys(), sorted(
        on_disk - loader.applied_migrations.keys()
    )
    # The data migrations left their rows: the editors', approvers' and objection handlers' roles.
    assert Group.objects.filter(permissions__codename="access_admin").distinct().count() >= 3


def run_script(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("CI", "SKIP_POSTGRES")}
    return subprocess.run(
        [WITH_POSTGRES, "sh", "-c", "echo ran"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_skip_postgres_skips_locally_with_a_clear_message():
    completed = run_script({"SKIP_POSTGRES": "1"})
    assert completed.returncode == 0
    assert "ran" not in completed.stdout
    assert "SKIP_POSTGRES=1" in completed.stderr
    assert "NOT running" in completed.stderr


def test_skip_postgres_is_an_error_in_ci():
    completed = run_script({"SKIP_POSTGRES": "1", "CI": "true"})
    assert completed.returncode != 0
    assert "ran" not in completed.stdout
    assert "not allowed in CI" in completed.stderr
