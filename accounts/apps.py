from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Comptes et entreprises"

    def ready(self) -> None:
        from . import receivers, schema  # noqa: F401 - registers receivers, OpenAPI extension
