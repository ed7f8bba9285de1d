"""Inserting a row unless a unique column already holds its value, in one statement."""

from django.db import connections, router
from django.db.models import Model, signals


def insert_unless_taken(record: Model, unique: str) -> bool:
    """Inserts ``record`` unless a row already holds its value of the ``unique`` field; whether
    it did. One statement, ``INSERT … ON CONFLICT (unique) DO NOTHING RETURNING``, which SQLite
    (3.35 and later) and PostgreSQL both speak, where ``get_or_create`` takes several: a value
    taken gives no row back and raises nothing, so no savepoint is needed to go on in the same
    transaction (an IntegrityError on PostgreSQL aborts the transaction; on the one SQLite
    connection a live test server shares, it broke the next request). Any other constraint
    still raises; NULL never conflicts. Sends ``pre_save`` and ``post_save`` as ``Model.save``
    does, and leaves ``record`` as saved."""
    model, meta = type(record), record._meta
    using = router.db_for_write(model, instance=record)
    connection = connections[using]
    quote = connection.ops.quote_name
    signals.pre_save.send(sender=model, instance=record, raw=False, using=using, update_fields=None)
    columns = [column for column in meta.local_concrete_fields if column is not meta.auto_field]
    params = [
        column.get_db_prep_save(column.pre_save(record, add=True), connection) for column in columns
    ]
    names = ", ".join(quote(column.column) for column in columns)
    marks = ", ".join(["%s"] * len(columns))
    returning = meta.db_returning_fields
    table, key = quote(meta.db_table), quote(meta.get_field(unique).column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({names}) VALUES ({marks}) "  # noqa: S608 (quoted names)
            f"ON CONFLICT ({key}) DO NOTHING "
            f"RETURNING {', '.join(quote(column.column) for column in returning)}",
            params,
        )
        row = cursor.fetchone()
    if row is None:
        return False
    for column, value in zip(returning, row, strict=True):
        setattr(record, column.attname, value)
    record._state.adding, record._state.db = False, using
    signals.post_save.send(
        sender=model, instance=record, created=True, update_fields=None, raw=False, using=using
    )
    return True
