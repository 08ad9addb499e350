"""The Moderator model moves from the moderation app to accounts (a user's roles live here).

State only: the table `moderation_moderator` stays where it is with its rows and keeps its
name (db_table), so nothing is copied and the move is instant on SQLite and PostgreSQL.
moderation/0003 removes the model from the moderation app's state after this one.
The content type follows, so admin permissions granted on moderators still apply.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if content_type.objects.using(db).filter(app_label="accounts", model="moderator").exists():
        return
    content_type.objects.using(db).filter(app_label="moderation", model="moderator").update(
        app_label="accounts"
    )


def move_content_type_back(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if content_type.objects.using(db).filter(app_label="moderation", model="moderator").exists():
        return
    content_type.objects.using(db).filter(app_label="accounts", model="moderator").update(
        app_label="moderation"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_company_registry"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("moderation", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Moderator",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("is_national", models.BooleanField(default=False, verbose_name="national")),
                        (
                            "departements",
                            models.JSONField(blank=True, default=list, verbose_name="départements"),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "user",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="moderator",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "modérateur",
                        "verbose_name_plural": "modérateurs",
                        "db_table": "moderation_moderator",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back, elidable=True),
    ]
