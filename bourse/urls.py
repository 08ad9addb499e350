from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

# Each app's urls.py has `urlpatterns` (French web pages) and `api_urlpatterns` (/api/v1/).
API_APPS = [
    "accounts",
    "bourse.geo",
    "bourse.listings",
    "bourse.matching",
    "bourse.moderation",
    "bourse.notifications",
    "messaging",
]

api_v1 = []
for app in API_APPS:
    api_v1 += __import__(f"{app}.urls", fromlist=["api_urlpatterns"]).api_urlpatterns

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("confidentialite/", views.privacy, name="privacy"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("conditions-d-utilisation/", views.terms, name="terms"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("comptes/", include("allauth.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include(api_v1)),
    path("", include("accounts.urls")),
    path("annonces/", include("bourse.listings.urls")),
    path("suggestions/", include("bourse.matching.urls")),
    path("moderation/", include("bourse.moderation.urls")),
    path("notifications/", include("bourse.notifications.urls")),
    path("messages/", include("messaging.urls")),
    path("lieux/", include("bourse.geo.urls")),
]

if settings.SERVE_MEDIA:
    # Uploaded photos. Behind a proxy in production, let the proxy serve MEDIA_ROOT instead.
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]

if settings.BENCH_FLOOR_VIEW:
    # The floor of bench/http_load.py: the same middleware and processes, no database, no template.
    urlpatterns += [path("bench/floor", views.bench_floor, name="bench_floor")]

# An API URL that matches nothing (e.g. /api/v1/listings/-1/) answers JSON like the rest of the API.
handler404 = "bourse.views.not_found"
