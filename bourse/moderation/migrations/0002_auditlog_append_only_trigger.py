"""The database refuses UPDATE and DELETE on the audit log (bourse/moderation/append_only.py)."""

from django.db import migrations

from bourse.moderation import append_only


def install(apps, schema_editor):
    model = apps.get_model("moderation", "AuditLogEntry")
    append_only.install(schema_editor, [f.column for f in model._meta.concrete_fields])


def uninstall(apps, schema_editor):
    append_only.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
