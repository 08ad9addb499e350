# Web pages of this app (mounted by bourse/urls.py) and its /api/v1/ endpoints.
from django.urls import path

from . import api

app_name = "geo"

urlpatterns = []

api_urlpatterns = [
    path(
        "geo/postal-codes/",
        api.PostalCodeAutocompleteView.as_view(),
        name="api-postal-codes",
    ),
]
