from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Comptes et entreprises"

    def ready(self) -> None:
        from . import schema  # noqa: F401 - registers the OpenAPI extension
