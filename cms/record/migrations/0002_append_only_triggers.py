"""The database refuses to change the record: UPDATE on SQLite and PostgreSQL, DELETE too on
PostgreSQL (there TRUNCATE, which tests use to empty tables, fires no row trigger; on SQLite
emptying a table is a DELETE, so SQLite refuses UPDATE only)."""

from django.db import migrations

POSTGRES_UP = [
    """CREATE OR REPLACE FUNCTION record_entry_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'The public record is append-only (公示记录只能追加)';
    END;
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER record_entry_append_only
    BEFORE UPDATE OR DELETE ON record_recordentry
    FOR EACH ROW EXECUTE FUNCTION record_entry_append_only()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS record_entry_append_only ON record_recordentry",
    "DROP FUNCTION IF EXISTS record_entry_append_only()",
]
SQLITE_UP = [
    """CREATE TRIGGER record_entry_append_only BEFORE UPDATE ON record_recordentry
    BEGIN SELECT RAISE(ABORT, 'The public record is append-only'); END""",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS record_entry_append_only"]


def _run(sql_by_vendor):
    def run(apps, schema_editor):
        for statement in sql_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("record", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP}),
            _run({"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN}),
        )
    ]
