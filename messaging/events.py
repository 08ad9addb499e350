"""The JSON shapes shared by the REST API, the WebSocket and the pages' scripts."""

from django.utils.translation import gettext
from rest_framework.fields import DateTimeField

from .models import Conversation, Message

_datetime = DateTimeField()


def iso(value) -> str | None:
    """ISO 8601 with the UTC offset, exactly as the REST API writes times."""
    return _datetime.to_representation(value) if value is not None else None


def user_payload(user) -> dict:
    """`{"id", "name"}`; an anonymised (deleted) sender is `{"id": null, "name": ...}`."""
    if user is None:
        return {"id": None, "name": gettext("Utilisateur supprimé")}
    return {"id": user.pk, "name": user.display_name}


def company_payload(company) -> dict:
    return {"id": company.pk, "name": company.name}


def message_payload(message: Message) -> dict:
    """A message as the API contract describes it in docs/api.md (sender and company should be
    select_related)."""
    return {
        "id": message.pk,
        "conversation": message.conversation_id,
        "body": message.body,
        "sender": user_payload(message.sender),
        "company": company_payload(message.company),
        "created_at": iso(message.created_at),
        "client_id": message.client_id,
    }


def conversation_payload(conversation: Conversation, *, unread_count: int) -> dict:
    listing = conversation.listing
    last = conversation.last_message
    return {
        "id": conversation.pk,
        "listing": {"id": listing.pk, "title": listing.title, "kind": listing.kind},
        "companies": [
            company_payload(conversation.owner_company),
            company_payload(conversation.other_company),
        ],
        "last_message": message_payload(last) if last is not None else None,
        "unread_count": unread_count,
        "updated_at": iso(conversation.updated_at),
    }


def message_new_event(message: Message) -> dict:
    return {"type": "message.new", "message": message_payload(message)}


def read_event(*, conversation_id: int, company_id: int, up_to: int) -> dict:
    return {"type": "read", "conversation": conversation_id, "company": company_id, "up_to": up_to}


def typing_event(*, conversation_id: int, user) -> dict:
    return {"type": "typing", "conversation": conversation_id, "user": user_payload(user)}
