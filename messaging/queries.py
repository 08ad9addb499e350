"""Reads that combine several models of the messaging app."""

from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from .models import Message, ReadMark


def unread_total(company_id: int) -> int:
    """Messages of partners that the company has not read yet, over all its conversations."""
    last_read = ReadMark.objects.filter(
        conversation=OuterRef("conversation"), company_id=company_id
    ).values("last_read_message_id")[:1]
    return (
        Message.objects.filter(
            Q(conversation__owner_company_id=company_id)
            | Q(conversation__other_company_id=company_id)
        )
        .exclude(company_id=company_id)
        .filter(id__gt=Coalesce(Subquery(last_read), Value(0)))
        .count()
    )
