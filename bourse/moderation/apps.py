from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "bourse.moderation"
    label = "moderation"
    verbose_name = "Modération"

    def ready(self):
        from django.db.backends.signals import connection_created

        from .append_only import register_sqlite_function

        connection_created.connect(register_sqlite_function, dispatch_uid="audit_log_purge")

        # Moderators read reported conversations: messaging asks through this hook, as it
        # may not import the moderation app that sits above it.
        from messaging.permissions import OutsideReader, register_outside_reader

        from . import permissions, services

        register_outside_reader(
            OutsideReader(
                may_read=permissions.moderator_can_read_conversation,
                record_read=services.record_conversation_read,
            )
        )
