"""REST endpoints of the messaging app (docs/api.md, "Messaging and the WebSocket")."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from bourse.listings.models import Listing

from . import events, permissions, services
from .models import BODY_MAX_LENGTH, CLIENT_ID_MAX_LENGTH, INBOX_RELATED, Conversation, Message

MESSAGES_PAGE_SIZE = 50

_user_ref = inline_serializer(
    "MessageSender",
    {"id": serializers.IntegerField(allow_null=True), "name": serializers.CharField()},
)
_company_ref = inline_serializer(
    "CompanyRef", {"id": serializers.IntegerField(), "name": serializers.CharField()}
)
MessageSchema = inline_serializer(
    "Message",
    {
        "id": serializers.IntegerField(),
        "conversation": serializers.IntegerField(),
        "body": serializers.CharField(),
        "sender": _user_ref,
        "company": _company_ref,
        "created_at": serializers.DateTimeField(),
        "client_id": serializers.CharField(),
    },
)
ConversationSchema = inline_serializer(
    "Conversation",
    {
        "id": serializers.IntegerField(),
        "listing": inline_serializer(
            "ConversationListing",
            {
                "id": serializers.IntegerField(),
                "title": serializers.CharField(),
                "kind": serializers.CharField(),
            },
        ),
        "companies": serializers.ListField(child=_company_ref),
        "last_message": MessageSchema,
        "unread_count": serializers.IntegerField(),
        "updated_at": serializers.DateTimeField(),
    },
)
ConversationPageSchema = inline_serializer(
    "PaginatedConversationList",
    {
        "count": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": serializers.ListField(child=ConversationSchema),
    },
)
MessagePageSchema = inline_serializer(
    "MessagePage",
    {
        "results": serializers.ListField(child=MessageSchema),
        "next_before": serializers.IntegerField(allow_null=True),
        "next_after": serializers.IntegerField(allow_null=True, required=False),
    },
)


class ConversationStartSerializer(serializers.Serializer):
    listing = serializers.IntegerField()
    body = serializers.CharField(max_length=BODY_MAX_LENGTH, trim_whitespace=True)
    client_id = serializers.CharField(
        max_length=CLIENT_ID_MAX_LENGTH, required=False, allow_blank=True
    )


class MessageCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=BODY_MAX_LENGTH, trim_whitespace=True)
    client_id = serializers.CharField(
        max_length=CLIENT_ID_MAX_LENGTH, required=False, allow_blank=True
    )


class ReadSerializer(serializers.Serializer):
    up_to = serializers.IntegerField(min_value=1)


class ConversationPagination(PageNumberPagination):
    page_size = 20


def _conversation_response(conversation: Conversation, company_id: int, status_code: int):
    fresh = Conversation.objects.for_inbox(company_id).get(pk=conversation.pk)
    return Response(
        events.conversation_payload(fresh, unread_count=fresh.unread_count), status=status_code
    )


class ConversationListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The caller's company's conversations, most recent first",
        responses={200: ConversationPageSchema},
        parameters=[OpenApiParameter("page", int)],
    )
    def get(self, request):
        company_id = permissions.company_id_of(request.user)
        # The page is chosen by ids alone (count and top of the company's conversations, no
        # join); the joins and the unread counts then apply to its 20 rows only, not to every
        # conversation of the company before paginating (docs/benchmarks.md).
        ids = (
            Conversation.objects.of_company(company_id)
            .order_by("-updated_at", "-id")
            .values_list("pk", flat=True)
        )
        paginator = ConversationPagination()
        page_ids = paginator.paginate_queryset(ids, request, view=self)
        rows = {}
        if page_ids:
            rows = (
                Conversation.objects.filter(pk__in=page_ids)
                .with_unread_count_after_mark(company_id)
                .select_related(*INBOX_RELATED)
                .in_bulk()
            )
        return paginator.get_paginated_response(
            [
                events.conversation_payload(rows[pk], unread_count=rows[pk].unread_count)
                for pk in page_ids
                if pk in rows
            ]
        )

    @extend_schema(
        summary="Contact a listing's company: open (201) or reuse (200) the conversation",
        request=ConversationStartSerializer,
        responses={201: ConversationSchema, 200: ConversationSchema},
    )
    def post(self, request):
        serializer = ConversationStartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        listing = Listing.objects.filter(pk=data["listing"]).first()
        if listing is None:
            raise ValidationError({"listing": [_("Annonce introuvable.")]})
        try:
            membership = permissions.check_can_start_conversation(request.user, listing)
        except permissions.ListingNotContactable as exc:
            raise ValidationError({"listing": [exc.detail]}) from exc
        conversation, created = services.conversation_start(
            listing=listing,
            by=request.user,
            body=data["body"],
            client_id=data.get("client_id") or None,
        )
        return _conversation_response(
            conversation,
            membership.company_id,
            status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class MessageListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Messages, newest first, 50 at a time (cursor `before`; `after` to catch up)",
        parameters=[
            OpenApiParameter("before", int, description="Messages older than this id."),
            OpenApiParameter(
                "after",
                int,
                description="Messages newer than this id, OLDEST first (a reconnecting "
                "client catches up with it); `next_after` continues.",
            ),
        ],
        responses={200: MessagePageSchema},
    )
    def get(self, request, pk: int):
        conversation = permissions.get_conversation_for_reading(request.user, pk)
        if not permissions.is_participant(request.user, conversation):
            services.record_outside_read(user=request.user, conversation=conversation)
        before = _cursor(request, "before")
        after = _cursor(request, "after")
        messages = Message.objects.filter(conversation=conversation).select_related(
            "sender", "company"
        )
        if after is not None:
            page = list(messages.filter(id__gt=after).order_by("id")[: MESSAGES_PAGE_SIZE + 1])
            more = len(page) > MESSAGES_PAGE_SIZE
            page = page[:MESSAGES_PAGE_SIZE]
            return Response(
                {
                    "results": [events.message_payload(m) for m in page],
                    "next_before": None,
                    "next_after": page[-1].pk if more else None,
                }
            )
        if before is not None:
            messages = messages.filter(id__lt=before)
        page = list(messages.order_by("-id")[: MESSAGES_PAGE_SIZE + 1])
        more = len(page) > MESSAGES_PAGE_SIZE
        page = page[:MESSAGES_PAGE_SIZE]
        return Response(
            {
                "results": [events.message_payload(m) for m in page],
                "next_before": page[-1].pk if more else None,
            }
        )

    @extend_schema(
        summary="Send a message (201); a repeated client_id returns the first one (200)",
        request=MessageCreateSerializer,
        responses={201: MessageSchema, 200: MessageSchema},
    )
    def post(self, request, pk: int):
        conversation = permissions.get_conversation_for_reading(request.user, pk)
        permissions.check_can_write(request.user, conversation)
        serializer = MessageCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message, created = services.message_send(
            conversation=conversation,
            by=request.user,
            body=serializer.validated_data["body"],
            client_id=serializer.validated_data.get("client_id") or None,
        )
        return Response(
            events.message_payload(message),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


def _cursor(request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: [_("Un identifiant de message est attendu.")]}) from None
    if value < 0:
        raise ValidationError({name: [_("Un identifiant de message est attendu.")]})
    return value


class ReadView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Mark the conversation read up to a message, for the caller's company",
        request=ReadSerializer,
        responses={204: None},
    )
    def post(self, request, pk: int):
        conversation = permissions.get_conversation_for_reading(request.user, pk)
        if not permissions.is_participant(request.user, conversation):
            raise PermissionDenied(_("Les modérateurs lisent sans marquer comme lu."))
        serializer = ReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.mark_read(
            conversation=conversation,
            by=request.user,
            up_to=serializer.validated_data["up_to"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
