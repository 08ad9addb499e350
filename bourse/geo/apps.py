from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "bourse.geo"
    label = "geo"
    verbose_name = "Géographie"
