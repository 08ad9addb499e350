from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ListingsConfig(AppConfig):
    name = "bourse.listings"
    label = "listings"
    verbose_name = "Annonces"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from accounts.signals import company_left

        from . import services, vocabulary
        from .models import TradeTerm
        from .search.schema import repair_after_migrate

        post_migrate.connect(repair_after_migrate, sender=self, dispatch_uid="listings_search")

        def forget_vocabulary(**kwargs):
            vocabulary.forget()

        post_save.connect(forget_vocabulary, sender=TradeTerm, weak=False)
        post_delete.connect(forget_vocabulary, sender=TradeTerm, weak=False)

        def withdraw_listings(company_id, **kwargs):
            services.withdraw_listings_of_company_that_left(company_id=company_id)

        company_left.connect(withdraw_listings, weak=False, dispatch_uid="listings.company_left")

        # The map's cached answers (search/points.py) go stale when a listing or a company
        # changes: a new generation once the change is committed.
        from django.db import transaction

        from accounts.models import Company

        from .models import Listing
        from .search.points import bump_generation

        def map_points_changed(**kwargs):
            transaction.on_commit(bump_generation)

        for model in (Listing, Company):
            post_save.connect(map_points_changed, sender=model, weak=False)
            post_delete.connect(map_points_changed, sender=model, weak=False)
