from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "bourse.core"
    label = "core"
    verbose_name = "Plateforme"
