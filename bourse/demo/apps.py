from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "bourse.demo"
    label = "demo"
    verbose_name = "Démonstration"
