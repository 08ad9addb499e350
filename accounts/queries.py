"""Reads that combine several models: what the account pages and /api/v1/me/ show."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError

from bourse.geo import data as geo

from .models import Company, Invitation, Membership, User
from .permissions import moderator_for
from .phones import normalize_phone


def moderated_departements(user: User) -> list[str]:
    """The codes a moderator covers; a national moderator covers every département."""
    moderator = moderator_for(user)
    if moderator is None:
        return []
    if moderator.is_national:
        return sorted(geo.departements())
    return sorted(moderator.departements)


def pending_invitations_for(user: User):
    """Open invitations addressed to one of the user's verified e-mail addresses."""
    emails = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    return (
        Invitation.objects.open()
        .for_emails(list(emails))
        .select_related("company", "invited_by")
        .order_by("-created_at")
    )


def company_members(company):
    return (
        Membership.objects.filter(company=company)
        .select_related("user")
        .order_by("role", "joined_at", "pk")  # "admin" sorts before "member"
    )


def companies_with_unchecked_phones() -> list[Company]:
    """Companies whose phone is kept as typed, not E.164: numbers from before company phones
    were checked that are no French number (every write checks them now, accounts/phones.py)."""
    candidates = Company.objects.exclude(phone="").only("pk", "name", "departement", "phone")
    return [
        company
        for company in candidates.order_by("departement", "name", "pk")
        if not _is_e164(company.phone)
    ]


def _is_e164(value: str) -> bool:
    try:
        return normalize_phone(value) == value
    except ValidationError:
        return False


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def user_personal_data(user: User) -> dict[str, Any]:
    """Every personal datum held about the user (RGPD right of access), as plain JSON values."""
    data: dict[str, Any] = {
        "user": {
            "id": user.pk,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "phone": user.phone,
            "job_title": user.job_title,
            "terms_version": user.terms_version,
            "terms_accepted_at": _iso(user.terms_accepted_at),
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "is_active": user.is_active,
            "preferences": {
                "match_emails": user.match_emails,
                "message_reminders": user.message_reminders,
                "saved_search_digest": user.saved_search_digest,
                "language": user.language,
                "moderation_summary": user.moderation_summary,
            },
        },
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        "membership": None,
        "invitations_sent": [
            {
                "company": inv.company.name,
                "email": inv.email,
                "created_at": _iso(inv.created_at),
                "accepted_at": _iso(inv.accepted_at),
                "revoked_at": _iso(inv.revoked_at),
            }
            for inv in Invitation.objects.filter(invited_by=user).select_related("company")
        ],
        "invitations_received": [
            {
                "company": inv.company.name,
                "email": inv.email,
                "created_at": _iso(inv.created_at),
                "accepted_at": _iso(inv.accepted_at),
                "revoked_at": _iso(inv.revoked_at),
            }
            for inv in Invitation.objects.filter(email__iexact=user.email).select_related("company")
        ],
        "moderator": None,
        "messages_sent": [],
    }
    membership = Membership.objects.filter(user=user).select_related("company").first()
    if membership is not None:
        data["membership"] = {
            "company": {"id": membership.company_id, "name": membership.company.name},
            "role": membership.role,
            "joined_at": _iso(membership.joined_at),
        }
    moderator = moderator_for(user)
    if moderator is not None:
        data["moderator"] = {
            "is_national": moderator.is_national,
            "departements": list(moderator.departements),
            "since": _iso(moderator.created_at),
        }
    data["messages_sent"] = _messages_sent(user)
    return data


def _messages_sent(user: User) -> list[dict[str, Any]]:
    """The user's messages (`sent_messages`: the reverse relation messaging declares)."""
    return [
        {
            "id": m.pk,
            "conversation": m.conversation_id,
            "body": m.body,
            "created_at": _iso(m.created_at),
        }
        for m in user.sent_messages.order_by("pk")
    ]
