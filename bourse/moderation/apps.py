from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "bourse.moderation"
    label = "moderation"
    verbose_name = "Modération"

    def ready(self):
        from django.db.backends.signals import connection_created

        from .append_only import register_sqlite_function

        connection_created.connect(register_sqlite_function, dispatch_uid="audit_log_purge")
