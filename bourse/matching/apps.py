from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "bourse.matching"
    label = "matching"
    verbose_name = "Correspondances"
