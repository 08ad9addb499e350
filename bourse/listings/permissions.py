"""Who may see and change which listing. `check_*` raise; services assume the check passed.

- Members of the owning company see their listing in every status.
- Moderators whose territory covers the listing see it unless it is a draft (the queue links to it).
- Everyone else sees only live published listings of verified companies; anything else is 404,
  as if it did not exist.
- Writing needs a member of the owning company, and that company verified (403); a member of
  another company who may see the listing gets 403, one who may not gets 404.
- A company waiting for verification prepares its listings meanwhile: on the pages its members
  create, edit and delete drafts (photos included); submitting waits for the verification.
  The API keeps the contract's rule (creating needs a verified company).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Company, Membership
from accounts.permissions import check_verified_member, is_member, membership_of, moderator_for

from .models import Listing


def can_view(user, listing: Listing) -> bool:
    if is_member(user, listing.company):
        return True
    if listing.is_live and listing.company.status == Company.Status.VERIFIED:
        return True
    if listing.status != Listing.Status.DRAFT:
        moderator = moderator_for(user)
        if moderator is not None and moderator.covers(listing.departement):
            return True
    return False


def check_can_view(user, listing: Listing) -> None:
    if not can_view(user, listing):
        raise Http404


def check_can_create(user) -> Membership:
    """A member of a verified company; returns the membership (its company owns the listing)."""
    return check_verified_member(user)


def check_can_prepare(user) -> Membership:
    """A member of a verified company, or of one waiting for verification: may write drafts
    (the listing form's "save the draft"). Returns the membership."""
    membership = membership_of(user)
    if membership is not None and membership.company.status == Company.Status.PENDING:
        return membership
    return check_verified_member(user)


def check_can_edit(user, listing: Listing) -> Membership:
    """Edit, close, renew, delete, photos: members of the owning, verified company; a company
    waiting for verification may edit, delete and illustrate its drafts."""
    check_can_view(user, listing)
    if not is_member(user, listing.company):
        raise PermissionDenied(_("Seule l'entreprise qui a publié l'annonce peut la modifier."))
    if listing.status == Listing.Status.DRAFT:
        return check_can_prepare(user)
    return check_verified_member(user)


def check_can_submit(user, listing: Listing) -> Membership:
    """Submit for publication: members of the owning company, and that company verified."""
    check_can_edit(user, listing)
    return check_verified_member(user)


def can_see_contact(user) -> bool:
    """Contact details (phone, website, e-mail) are for members of verified companies."""
    try:
        check_verified_member(user)
    except PermissionDenied:
        return False
    return True
