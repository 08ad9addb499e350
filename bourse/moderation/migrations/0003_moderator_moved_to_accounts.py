"""The Moderator model now lives in accounts (accounts/0003): drop it from this app's state only;
the table and its rows stay, owned by accounts.Moderator."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0002_auditlog_append_only_trigger"),
        ("accounts", "0003_moderator_moved_from_moderation"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Moderator")],
            database_operations=[],
        ),
    ]
