"""Template tags and filters of the listings pages: {% load listing_tags %}."""

from django import template
from django.utils.safestring import SafeString

from .. import cards
from ..placeholders import placeholder_url

register = template.Library()


@register.filter
def placeholder(listing) -> str:
    """{{ listing|placeholder }}: the URL of its category's placeholder picture."""
    return placeholder_url(listing.category_id)


@register.simple_tag
def listing_cards(listings) -> SafeString:
    """{% listing_cards listings %}: their cards (bourse/listings/cards.py), each with its
    distance when the listings come from a search with a point."""
    return cards.listing_cards(listings)
