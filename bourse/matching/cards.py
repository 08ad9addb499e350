"""Suggestion cards (templates/matching/_suggestion.html), as the suggestions page and a
listing's page show them: `{% suggestion_cards suggestions %}` (templatetags/matching_tags.py).

A member's suggestions page shows tens of cards, each ~1,500 Python calls through the template
engine (its picture, kind, category, score, three links, reasons, two forms): rendering them
was most of the page's CPU. A card is kept rendered per process (bourse.core.fragments), keyed
on every value it shows, so it is rendered again only when one of them changes; a company sees
the same cards from one visit to the next, as long as its suggestions stay.

Two things on a card belong to the request, not to the card: the CSRF token of its two forms
(masked differently on every request) and the page to come back to after "Masquer". The kept
card holds marks where they go, replaced on the way out, for all the cards at once.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from bourse.core.fragments import RenderedMemo
from bourse.listings.cards import picture_key

from .queries import Suggestion

_cards = RenderedMemo("suggestion cards")

# Where the request's own values go in a kept card. Escaped text can never contain them ("<" is
# escaped), so only the template's own marks are replaced.
CSRF_MARK = mark_safe("<!--csrf-->")  # noqa: S308 - a constant
NEXT_MARK = mark_safe("<!--next-->")  # noqa: S308 - a constant


def _csrf_input(token) -> str:
    """What `{% csrf_token %}` (Django's CsrfTokenNode) writes for `token`: nothing without
    one. Written here rather than calling the node: for "NOTPROVIDED" it calls format_html()
    without arguments, deprecated in Django 5.2 (a warning, an error under the tests); a test
    compares the two on every other value."""
    if not token or token == "NOTPROVIDED":  # noqa: S105 - Django's word for "no token"
        return ""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)


# A kept card's forms, as `{% csrf_token %}` wrote them with the mark for a token.
_MARKED_CSRF_INPUT = _csrf_input(CSRF_MARK)


def card_key(suggestion: Suggestion, reasons: tuple[str, ...], language: str) -> tuple:
    """Every value the card shows but the request's own (the template's fields, in its order)."""
    listing = suggestion.listing
    category = listing.category
    return (
        language,
        get_script_prefix(),
        get_urlconf(),
        listing.pk,
        picture_key(listing),
        listing.kind,
        category.name,
        category.name_en,
        suggestion.score,
        listing.title,
        listing.company.name,
        listing.commune,
        listing.departement,
        reasons,
    )


def _render(suggestion: Suggestion, reasons: tuple[str, ...]) -> SafeString:
    return mark_safe(  # noqa: S308 - rendered by a template, escaped there
        render_to_string(
            "matching/_suggestion.html",
            {
                "suggestion": suggestion,
                "reasons": reasons,
                "csrf_token": CSRF_MARK,
                "next": NEXT_MARK,
            },
        )
    )


def suggestion_cards(suggestions: Iterable[Suggestion], csrf_token, request) -> SafeString:
    """The cards of `suggestions`, one after the other, with `csrf_token` in their forms and
    `request`'s page (nothing without a request) as where "Masquer" comes back to."""
    language = get_language()
    html = []
    for suggestion in suggestions:
        reasons = tuple(suggestion.describe())
        html.append(
            _cards.get(
                card_key(suggestion, reasons, language),
                lambda: _render(suggestion, reasons),  # noqa: B023 - called at once
            )
        )
    page = request.get_full_path() if request is not None else ""
    joined = "".join(html).replace(NEXT_MARK, escape(page))
    return mark_safe(joined.replace(_MARKED_CSRF_INPUT, _csrf_input(csrf_token)))  # noqa: S308 - kept cards, escaped by their template


def forget() -> None:
    """Drop this process's kept cards (tests)."""
    _cards.clear()
