# Web pages of this app (mounted at /notifications/ by bourse/urls.py) and its /api/v1/ endpoints.
from django.urls import path

from . import api, views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("lues/", views.mark_read, name="mark_read"),
    path("<int:pk>/", views.notification_open, name="open"),
]

api_urlpatterns = [
    path("notifications/", api.NotificationList.as_view(), name="api-notifications"),
    path("notifications/read/", api.MarkReadView.as_view(), name="api-notifications-read"),
]
