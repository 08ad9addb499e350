"""The Moderator model moved from the moderation app to accounts by a change of state only: an
existing database keeps its moderators, on SQLite and on PostgreSQL, and the move unapplies."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("accounts", "0002_company_registry"),
    ("moderation", "0002_auditlog_append_only_trigger"),
]
AFTER = [
    ("accounts", "0003_moderator_moved_from_moderation"),
    ("moderation", "0003_moderator_moved_to_accounts"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_moderators_survive_the_move_both_ways():
    old = _migrate(BEFORE)
    user = old.get_model("accounts", "User").objects.create(email="cci@exemple.fr")
    old.get_model("moderation", "Moderator").objects.create(user_id=user.pk, departements=["69"])
    try:
        new = _migrate(AFTER)
        moderator = new.get_model("accounts", "Moderator").objects.get()
        assert (moderator.user_id, moderator.departements) == (user.pk, ["69"])
        with pytest.raises(LookupError):
            new.get_model("moderation", "Moderator")
        content_type = new.get_model("contenttypes", "ContentType")
        assert not content_type.objects.filter(app_label="moderation", model="moderator").exists()

        old = _migrate(BEFORE)
        assert old.get_model("moderation", "Moderator").objects.get().departements == ["69"]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
