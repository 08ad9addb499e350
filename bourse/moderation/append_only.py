"""The audit log's protection in the database itself: UPDATE and DELETE on its table are refused
by a trigger (PostgreSQL and SQLite), whoever sends them, the ORM or raw SQL.

Two writes stay possible:
- clearing `actor_id` when the moderator's account is deleted (the FK's SET_NULL, done by
  Django as an UPDATE that changes that column only; `actor_email` keeps who acted);
- emptying the table when the database is allowed to purge it: only a test database, whose
  flush between tests deletes every row (`AUDIT_LOG_PURGE_ALLOWED`, true only under pytest, never
  read from the environment). On PostgreSQL that is the session setting
  `bourse.audit_log_purge = on`; on SQLite the function `bourse_audit_log_purge()` that each
  connection of this project registers (any other SQLite client lacks it, so its UPDATE or DELETE
  fails too).

What the trigger cannot stop: a role owning the table can drop the trigger. Production should
run the application under a role that does not own its tables (docs/security.md).
"""

from django.conf import settings

TABLE = "moderation_auditlogentry"
MESSAGE = "The audit log is append-only"
PG_SETTING = "bourse.audit_log_purge"
SQLITE_FUNCTION = "bourse_audit_log_purge"

_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('{PG_SETTING}', true) = 'on' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
       AND to_jsonb(NEW) - 'actor_id' = to_jsonb(OLD) - 'actor_id' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only();
CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_append_only();
"""

_PG_DROP = f"""
DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE};
DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};
DROP FUNCTION IF EXISTS {TABLE}_append_only();
"""


def _sqlite_statements(columns: list[str]) -> list[str]:
    unchanged = " AND ".join(f'NEW."{c}" IS OLD."{c}"' for c in columns if c != "actor_id")
    return [
        f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
        f"WHEN NOT {SQLITE_FUNCTION}() AND NOT (NEW.actor_id IS NULL AND {unchanged}) "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE refused'); END",
        f"CREATE TRIGGER {TABLE}_no_delete BEFORE DELETE ON {TABLE} "
        f"WHEN NOT {SQLITE_FUNCTION}() "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE refused'); END",
    ]


def install(schema_editor, columns: list[str]) -> None:
    """Create the trigger(s); `columns` are the table's columns (SQLite compares each one)."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(_PG_FUNCTION, params=None)
    elif vendor == "sqlite":
        for statement in _sqlite_statements(columns):
            schema_editor.execute(statement)


def uninstall(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(_PG_DROP, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_update")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_delete")


def purge_allowed() -> bool:
    return bool(getattr(settings, "AUDIT_LOG_PURGE_ALLOWED", False))


def register_sqlite_function(sender, connection, **kwargs) -> None:
    """connection_created receiver: SQLite connections learn `bourse_audit_log_purge()`."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            SQLITE_FUNCTION, 0, lambda: int(purge_allowed()), deterministic=False
        )
