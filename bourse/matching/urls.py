# Web pages of this app (mounted at /suggestions/ by bourse/urls.py) and its /api/v1/ endpoints.
from django.urls import path

from . import api, views

app_name = "matching"

urlpatterns = [
    path("", views.suggestions_page, name="suggestions"),
    path("masquer/<int:pk>/", views.dismiss, name="dismiss"),
    path("contacter/<int:pk>/", views.contact, name="contact"),
    path("recherches/", views.saved_searches_page, name="saved_searches"),
    path("recherches/enregistrer/", views.saved_search_create, name="saved_search_create"),
    path("recherches/<int:pk>/supprimer/", views.saved_search_delete, name="saved_search_delete"),
]

api_urlpatterns = [
    path("listings/<int:pk>/matches/", api.ListingMatchesView.as_view(), name="listing-matches"),
    path(
        "listings/<int:pk>/matches/<int:other_id>/dismiss/",
        api.DismissMatchView.as_view(),
        name="listing-match-dismiss",
    ),
    path("saved-searches/", api.SavedSearchListView.as_view(), name="saved-search-list"),
    path(
        "saved-searches/<int:pk>/",
        api.SavedSearchDetailView.as_view(),
        name="saved-search-detail",
    ),
]
