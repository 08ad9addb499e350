from django.apps import AppConfig


class ListingsConfig(AppConfig):
    name = "bourse.listings"
    label = "listings"
    verbose_name = "Annonces"
