from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ListingsConfig(AppConfig):
    name = "bourse.listings"
    label = "listings"
    verbose_name = "Annonces"

    def ready(self):
        from .search.schema import repair_after_migrate

        post_migrate.connect(repair_after_migrate, sender=self, dispatch_uid="listings_search")
