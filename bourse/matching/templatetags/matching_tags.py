"""`{% listing_suggestions listing %}`: the "Correspondances suggérées" section of a listing's
page, rendered only for members of the company that owns it (nothing for anyone else).
`{% suggestion_cards suggestions %}`: their cards, kept rendered (bourse/matching/cards.py)."""

from django import template
from django.utils.safestring import SafeString

from accounts.permissions import is_member

from .. import cards
from ..suggestions import suggestions_for

register = template.Library()

SUGGESTIONS_ON_DETAIL = 6


@register.inclusion_tag("matching/_suggestions.html", takes_context=True)
def listing_suggestions(context, listing):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not is_member(user, listing.company) or not listing.is_live:
        return {"hidden": True}
    return {
        "listing": listing,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "suggestions": suggestions_for(listing, limit=SUGGESTIONS_ON_DETAIL),
    }


@register.simple_tag(takes_context=True)
def suggestion_cards(context, suggestions) -> SafeString:
    """The cards of `suggestions`, with the context's CSRF token and request (the page
    "Masquer" comes back to)."""
    return cards.suggestion_cards(suggestions, context.get("csrf_token"), context.get("request"))
