"""Template filters of the listings pages: {% load listing_tags %}."""

from django import template

from ..placeholders import placeholder_url

register = template.Library()


@register.filter
def placeholder(listing) -> str:
    """{{ listing|placeholder }}: the URL of its category's placeholder picture."""
    return placeholder_url(listing.category_id)
