from django.apps import AppConfig
from django.db.backends.signals import connection_created


class GeoConfig(AppConfig):
    name = "bourse.geo"
    label = "geo"
    verbose_name = "Géographie"

    def ready(self):
        from .sql import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="geo_sqlite_functions")
