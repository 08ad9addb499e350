"""`{% listing_suggestions listing %}`: the "Correspondances suggérées" section of a listing's
page, rendered only for members of the company that owns it (nothing for anyone else)."""

from django import template

from accounts.permissions import is_member

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
