from django.apps import AppConfig


class ListingsConfig(AppConfig):
    name = "bourse.listings"
    label = "listings"
    verbose_name = "Annonces"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import vocabulary
        from .models import TradeTerm

        def forget_vocabulary(**kwargs):
            vocabulary.forget()

        post_save.connect(forget_vocabulary, sender=TradeTerm, weak=False)
        post_delete.connect(forget_vocabulary, sender=TradeTerm, weak=False)
