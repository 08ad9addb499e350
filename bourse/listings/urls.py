# Web pages of this app (mounted by bourse/urls.py) and its /api/v1/ endpoints.
from django.urls import path

from . import api, search, views
from .search import map as search_map

app_name = "listings"

urlpatterns = [
    path("", search.search_page, name="search"),
    path("carte/", search_map.map_page, name="map"),
    path("nouvelle/", views.listing_create, name="create"),
    path("mes-annonces/", views.listing_mine, name="mine"),
    path("<int:pk>/", views.listing_detail, name="detail"),
    path("<int:pk>/modifier/", views.listing_edit, name="edit"),
    path("<int:pk>/soumettre/", views.listing_submit, name="submit"),
    path("<int:pk>/renouveler/", views.listing_renew, name="renew"),
    path("<int:pk>/cloturer/", views.listing_close, name="close"),
    path("<int:pk>/supprimer/", views.listing_delete, name="delete"),
    path("actualite/<str:token>/", views.freshness, name="freshness"),
]

api_urlpatterns = [
    # GET is the search (search/views.py). POST (create) belongs to api.py: its view dispatches GET
    # to search.search_listings_response.
    path("listings/", api.ListingCollectionView.as_view(), name="listing-search"),
    path("listings/map/", search_map.MapPointsView.as_view(), name="listing-map"),
    path("categories/", api.CategoryListView.as_view(), name="category-list"),
    path("listings/mine/", api.ListingMineView.as_view(), name="listing-mine"),
    path("listings/<int:pk>/", api.ListingDetailView.as_view(), name="listing-detail"),
    path("listings/<int:pk>/submit/", api.ListingSubmitView.as_view(), name="listing-submit"),
    path("listings/<int:pk>/close/", api.ListingCloseView.as_view(), name="listing-close"),
    path("listings/<int:pk>/renew/", api.ListingRenewView.as_view(), name="listing-renew"),
    path("listings/<int:pk>/photos/", api.ListingPhotoCreateView.as_view(), name="listing-photos"),
    path(
        "listings/<int:pk>/photos/order/",
        api.ListingPhotoOrderView.as_view(),
        name="listing-photo-order",
    ),
    path(
        "listings/<int:pk>/photos/<int:photo_id>/",
        api.ListingPhotoDetailView.as_view(),
        name="listing-photo-detail",
    ),
]
