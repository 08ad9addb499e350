from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "bourse.moderation"
    label = "moderation"
    verbose_name = "Modération"
