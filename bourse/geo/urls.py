# Web pages of this app (mounted by bourse/urls.py) and its /api/v1/ endpoints.
app_name = "geo"

urlpatterns = []

api_urlpatterns = []
