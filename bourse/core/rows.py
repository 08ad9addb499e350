"""Statements the ORM does not write: one INSERT that tells which of its rows it inserted."""

from django.db import connection


def insert_new_rows(model, rows: list[dict], *, unique: tuple[str, ...]) -> list[tuple]:
    """INSERT the rows, skipping those that clash with the unique constraint on `unique`, and
    return (id, *unique columns) of the rows actually inserted.

    One statement, `INSERT ... ON CONFLICT (...) DO NOTHING RETURNING` (PostgreSQL, SQLite
    3.35+): the database decides who inserted a row, so exactly one caller announces it even
    when two workers insert the same pair at the same moment.
    """
    if not rows:
        return []
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in rows[0]]
    unique_columns = [quote(model._meta.get_field(name).column) for name in unique]
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params = [
        field.get_db_prep_save(row[field.name], connection) for row in rows for field in fields
    ]
    # Table and column names come from the model, values are bound parameters.
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608
        f"({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES {', '.join([placeholders] * len(rows))} "
        f"ON CONFLICT ({', '.join(unique_columns)}) DO NOTHING "
        f"RETURNING {quote('id')}, {', '.join(unique_columns)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]
