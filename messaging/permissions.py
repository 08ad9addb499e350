"""Who may read or write a conversation. `check_*` raise; services assume it is allowed.

Only members of the two companies read and write. Everyone else gets 404, so a guessed id
reveals nothing. A moderator reads a conversation only when it is reported (the moderation
app decides), and never writes.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Company, Membership
from accounts.permissions import check_verified_member, membership_of
from bourse.listings.models import Listing

from .models import Conversation


class ListingNotContactable(Exception):
    """The listing cannot be the subject of a new conversation (a 400 on the `listing` field)."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


def company_id_of(user) -> int | None:
    membership = membership_of(user)
    return membership.company_id if membership else None


@dataclass(frozen=True)
class OutsideReader:
    """Someone outside a conversation's two companies who may read it, and how that reading is
    recorded. The moderation app, which sits above messaging, registers the moderators' rule
    (a reported conversation, in their territory; each read in the audit log) in its ready()."""

    may_read: Callable[[object, Conversation], bool]
    record_read: Callable[[object, Conversation], None]


_outside_readers: list[OutsideReader] = []


def register_outside_reader(reader: OutsideReader) -> None:
    if reader not in _outside_readers:
        _outside_readers.append(reader)


def outside_reader(user, conversation: Conversation) -> OutsideReader | None:
    if user is None or not user.is_authenticated:
        return None
    return next((r for r in _outside_readers if r.may_read(user, conversation)), None)


def moderator_can_read(user, conversation: Conversation) -> bool:
    """A moderator may read a *reported* conversation (the rule registered by moderation)."""
    return outside_reader(user, conversation) is not None


def is_participant(user, conversation: Conversation) -> bool:
    company_id = company_id_of(user)
    return company_id is not None and company_id in conversation.company_ids


def get_conversation_for_reading(user, pk) -> Conversation:
    """The conversation, when the caller is one of its sides or a moderator allowed to read it."""
    conversation = (
        Conversation.objects.select_related("listing", "owner_company", "other_company")
        .filter(pk=pk)
        .first()
    )
    if conversation is None:
        raise Http404
    if is_participant(user, conversation) or moderator_can_read(user, conversation):
        return conversation
    raise Http404


def check_can_write(user, conversation: Conversation) -> Membership:
    """A member of either side whose company is verified (a suspended one cannot send).

    Not a side: 404 (a moderator allowed to read gets 403: they know it exists, but read only).
    """
    membership = membership_of(user)
    if membership is None or membership.company_id not in conversation.company_ids:
        if moderator_can_read(user, conversation):
            raise PermissionDenied(_("Les modérateurs lisent les conversations signalées."))
        raise Http404
    if membership.company.status != Company.Status.VERIFIED:
        raise PermissionDenied(_("Votre entreprise doit être vérifiée pour envoyer des messages."))
    return membership


def check_can_start_conversation(user, listing: Listing) -> Membership:
    """A member of a verified company, about another company's live published listing."""
    membership = check_verified_member(user)
    if not Listing.objects.published().filter(pk=listing.pk).exists():
        raise ListingNotContactable(_("Cette annonce n'est pas publiée."))
    if listing.company_id == membership.company_id:
        raise ListingNotContactable(_("C'est une annonce de votre entreprise."))
    return membership
