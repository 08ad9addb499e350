"""Filters of the moderation pages."""

from django import template

from bourse.listings import holds
from bourse.moderation.queues import waited as _waited

register = template.Library()


@register.filter
def waited(delta) -> str:
    """A waiting time at a glance: "3 j 4 h", "5 h 12 min"."""
    return _waited(delta) if delta is not None else ""


@register.filter
def hold_reasons(listing) -> list[str]:
    """Why the listing was held for a moderator, in the reader's language (may be empty)."""
    return [holds.describe(reason) for reason in listing.hold_reasons or []]
