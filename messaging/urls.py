# Web pages of this app (mounted at /messages/ by bourse/urls.py) and its /api/v1/ endpoints.
from django.urls import path

from . import api, views

app_name = "messaging"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.conversation, name="conversation"),
    path("contacter/<int:listing_pk>/", views.start, name="start"),
    path("non-lus/", views.unread_total, name="unread_total"),
    path("suivi/<str:token>/", views.followup, name="followup"),
]

api_urlpatterns = [
    path("conversations/", api.ConversationListView.as_view(), name="api-conversations"),
    path(
        "conversations/<int:pk>/messages/",
        api.MessageListView.as_view(),
        name="api-conversation-messages",
    ),
    path("conversations/<int:pk>/read/", api.ReadView.as_view(), name="api-conversation-read"),
]
