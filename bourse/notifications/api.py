"""Notifications API: the caller's company's notifications, and marking them read.

A signed-in user without a company has no notifications: an empty list, not an error.
"""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Notification
from .queries import notifications_of, unread_count
from .services import notifications_mark_read


def _company_id(user) -> int | None:
    membership = user.membership_or_none
    return membership.company_id if membership else None


class NotificationSerializer(serializers.ModelSerializer):
    # Written in the caller's language (Accept-Language, or the language cookie) now.
    title = serializers.CharField(source="shown_title", read_only=True)
    body = serializers.CharField(source="shown_body", read_only=True)
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "data", "created_at", "read_at", "read"]

    def get_read(self, notification) -> bool:
        return notification.read_at is not None


class NotificationPagination(PageNumberPagination):
    """The usual page, plus `unread_count` for the badge."""

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["unread_count"] = unread_count(self.request.company_id)
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["unread_count"] = {"type": "integer"}
        return schema


class NotificationList(ListAPIView):
    """Newest first."""

    permission_classes = [IsAuthenticated]
    serializer_class = NotificationSerializer
    pagination_class = NotificationPagination
    filter_backends: list = []

    def get_queryset(self):
        self.request.company_id = _company_id(self.request.user)
        return notifications_of(self.request.company_id)


class MarkReadSerializer(serializers.Serializer):
    up_to = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class MarkReadView(APIView):
    """Mark all the company's notifications read, or those up to (and including) `up_to`."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=MarkReadSerializer,
        responses=inline_serializer(
            "NotificationsMarked",
            {"marked": serializers.IntegerField(), "unread_count": serializers.IntegerField()},
        ),
    )
    def post(self, request):
        payload = MarkReadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        membership = request.user.membership_or_none
        marked = 0
        if membership is not None:
            marked = notifications_mark_read(
                company=membership.company, up_to=payload.validated_data.get("up_to")
            )
        company_id = membership.company_id if membership else None
        return Response({"marked": marked, "unread_count": unread_count(company_id)})
