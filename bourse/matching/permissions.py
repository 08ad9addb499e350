"""Who may see a listing's suggestions, dismiss them, and use saved searches.

Built on the listings rule (bourse.listings.permissions.can_view): a listing the caller may not
see is a 404; a listing they may see but whose company they are not a member of is a 403.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Membership
from accounts.permissions import check_verified_member, is_member, membership_of
from bourse.listings.models import Listing
from bourse.listings.permissions import can_view

from .models import SavedSearch


def check_can_see_matches(user, listing: Listing) -> Membership:
    """Suggestions of a listing are for the members of the company that owns it."""
    if not can_view(user, listing):
        raise Http404
    if not is_member(user, listing.company):
        raise PermissionDenied(_("Seule l'entreprise qui a publié l'annonce voit ses suggestions."))
    return membership_of(user)


def check_can_dismiss(user, listing: Listing, suggested: Listing) -> Membership:
    """Dismissing a suggestion of `listing`: its company's member, about a listing they can see
    that belongs to another company."""
    membership = check_can_see_matches(user, listing)
    if not can_view(user, suggested) or suggested.company_id == listing.company_id:
        raise Http404
    return membership


def check_can_use_saved_searches(user) -> Membership:
    """Saved searches belong to a verified company."""
    return check_verified_member(user)


def check_owns_saved_search(user, saved_search: SavedSearch) -> Membership:
    """Another company's saved search does not exist for the caller (404)."""
    membership = membership_of(user)
    if membership is None or membership.company_id != saved_search.company_id:
        raise Http404
    return check_verified_member(user)
