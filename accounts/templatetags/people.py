"""How people's details read on pages: `{% load people %}{{ user.phone|phone }}`."""

from django import template

from accounts.phones import format_phone

register = template.Library()


@register.filter
def phone(value: str) -> str:
    """A stored number (E.164) as French people write it: "06 12 34 56 78"."""
    return format_phone(value)
