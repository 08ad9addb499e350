"""The audit log is append-only: no update, no delete, not even from the admin."""

import pytest
from django.db import transaction

from bourse.moderation.models import AuditLogEntry
from bourse.moderation.services import company_suspend
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(moderator_69):
    company = factories.CompanyFactory()
    company_suspend(company=company, by=moderator_69, reason="Annonces trompeuses")
    return AuditLogEntry.objects.get()


def test_an_entry_cannot_be_changed(entry):
    entry.reason = "autre chose"
    with pytest.raises(TypeError, match="append-only"):
        entry.save()
    entry.refresh_from_db()
    assert entry.reason == "Annonces trompeuses"


def test_an_entry_cannot_be_deleted(entry):
    with pytest.raises(TypeError, match="append-only"):
        entry.delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditLogEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditLogEntry.objects.all().update(reason="")
    assert AuditLogEntry.objects.filter(pk=entry.pk, reason="Annonces trompeuses").exists()


def test_writing_outside_a_transaction_is_refused(moderator_69, settings):
    # pytest-django wraps the test in a transaction; leave it to see the guard work.
    connection = transaction.get_connection()
    saved = connection.in_atomic_block
    connection.in_atomic_block = False
    try:
        with pytest.raises(RuntimeError, match="inside the transaction"):
            AuditLogEntry.objects.record(
                actor=moderator_69, action="company.verify", target_type="company", target_id=1
            )
    finally:
        connection.in_atomic_block = saved


def test_admin_shows_the_log_read_only(client, entry):
    admin = factories.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)

    assert client.get("/admin/moderation/auditlogentry/").status_code == 200
    change = client.get(f"/admin/moderation/auditlogentry/{entry.pk}/change/")
    assert change.status_code == 200
    assert b'name="reason"' not in change.content  # no editable field
    assert client.get("/admin/moderation/auditlogentry/add/").status_code == 403
    assert client.post(f"/admin/moderation/auditlogentry/{entry.pk}/delete/").status_code == 403
    assert AuditLogEntry.objects.filter(pk=entry.pk).exists()


def test_log_api_lists_newest_first_with_actor_as_id_and_email(client_for, moderator_69, entry):
    company = factories.CompanyFactory(postal_code="42000")
    national = factories.ModeratorFactory(is_national=True, departements=[]).user
    company_suspend(company=company, by=national, reason="Hors territoire du 69")

    body = client_for(moderator_69).get("/api/v1/moderation/log/").json()

    assert body["count"] == 1  # the Loire entry is outside Rhône
    row = body["results"][0]
    assert row["actor"] == {"id": moderator_69.pk, "email": moderator_69.email}
    assert {k: row[k] for k in ("action", "target_type", "reason")} == {
        "action": "company.suspend",
        "target_type": "company",
        "reason": "Annonces trompeuses",
    }
    national_rows = client_for(national).get("/api/v1/moderation/log/").json()["results"]
    assert [r["reason"] for r in national_rows] == ["Hors territoire du 69", "Annonces trompeuses"]


def test_log_keeps_the_actor_email_when_the_account_is_deleted(client_for, moderator_69, entry):
    email = moderator_69.email
    moderator_69.delete()
    national = factories.ModeratorFactory(is_national=True, departements=[]).user

    row = client_for(national).get("/api/v1/moderation/log/").json()["results"][0]

    assert row["actor"] == {"id": None, "email": email}


def test_log_api_query_count_is_pinned(client_for, national, django_assert_num_queries):
    for _ in range(5):
        company_suspend(company=factories.CompanyFactory(), by=national, reason="r")
    client = client_for(national)
    with django_assert_num_queries(2):
        assert client.get("/api/v1/moderation/log/?action=company.suspend").json()["count"] == 5


# --- The database's own guard (raw SQL, no ORM) ------------------------------------------------


@pytest.fixture
def guarded(settings):
    """The database as in production: no purge allowed for this test's connection."""
    from django.db import connection

    settings.AUDIT_LOG_PURGE_ALLOWED = False  # SQLite reads it at each statement
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # until the test's transaction rolls back
            cursor.execute("SET LOCAL bourse.audit_log_purge = 'off'")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE moderation_auditlogentry SET reason = 'effacé' WHERE id = %s",
        "UPDATE moderation_auditlogentry SET actor_email = 'x@y.fr', actor_id = NULL WHERE id = %s",
        "UPDATE moderation_auditlogentry SET created_at = created_at WHERE id = %s",
        "DELETE FROM moderation_auditlogentry WHERE id = %s",
    ],
)
def test_the_database_refuses_raw_updates_and_deletes(entry, guarded, statement):
    from django.db import IntegrityError, connection

    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [entry.pk])
    entry.refresh_from_db()
    assert entry.reason == "Annonces trompeuses" and entry.actor_id is not None


@pytest.mark.postgres
def test_postgresql_refuses_truncate(entry, guarded):
    from django.db import IntegrityError, connection

    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks
        cursor.execute("TRUNCATE moderation_auditlogentry CASCADE")
    assert AuditLogEntry.objects.filter(pk=entry.pk).exists()


def test_deleting_the_moderators_account_only_clears_the_actor(entry, guarded):
    """The one change the trigger lets through: SET_NULL of the actor; the e-mail stays."""
    actor_email = entry.actor_email
    entry.actor.delete()
    entry.refresh_from_db()
    assert entry.actor_id is None and entry.actor_email == actor_email


def test_inserting_still_works_under_the_guard(guarded, moderator_69):
    with transaction.atomic():
        AuditLogEntry.objects.record(
            actor=moderator_69, action="company.verify", target_type="company", target_id=7
        )
    assert AuditLogEntry.objects.filter(target_id=7).exists()


def test_the_sqlite_trigger_compares_every_column():
    """SQLite has no whole-row comparison: its trigger names each column. A column added to the
    model (or a table rebuilt by a migration, which drops its triggers) fails here until the
    trigger is recreated (append_only.install in a new migration)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only; PostgreSQL's trigger compares whole rows")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
            ["moderation_auditlogentry"],
        )
        triggers = [row[0] for row in cursor.fetchall()]
    assert len(triggers) == 2
    update = next(sql for sql in triggers if "BEFORE UPDATE" in sql)
    for field in AuditLogEntry._meta.concrete_fields:
        assert f'"{field.column}"' in update or field.column == "actor_id"
