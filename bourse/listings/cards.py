"""Listing cards (templates/listings/_card.html), as search results, the home page and a
company's page show them: `{% listing_cards listings %}` (templatetags/listing_tags.py).

Twenty cards were a third of a search page's work: ~1,000 Python calls each through the
template engine (its picture, kind, category, link, place, distance, company). A card is kept
rendered per process (bourse.core.fragments), keyed on every value it shows, so a card is
rendered again only when one of them changes. The distance from the search's point differs
from one search to the next: the kept card holds a mark where it goes, replaced on the way out.
"""

from __future__ import annotations

import functools
from decimal import ROUND_HALF_UP, Decimal

from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from bourse.core.fragments import RenderedMemo

from .placeholders import top_slug

_cards = RenderedMemo("listing cards")

# Where the distance goes in a kept card. Escaped text can never contain it ("<" is escaped),
# so only the template's own mark is replaced.
DISTANCE_MARK = mark_safe("<!--distance-->")  # noqa: S308 - a constant


def picture_key(listing) -> tuple:
    """What a card's picture (listings/_card_picture.html, also on suggestion cards) depends
    on: its first photo (whose files are written once, when it is added: photos.py), else the
    placeholder of its category's top level."""
    photos = listing.ordered_photos
    if photos:
        return ("photo", photos[0].pk)
    return ("placeholder", top_slug(listing.category_id))


def card_key(listing, language: str, script_prefix: str) -> tuple:
    """Every value the card shows but the distance (the template's fields, in its order)."""
    category = listing.category
    return (
        language,
        script_prefix,
        picture_key(listing),
        listing.kind,
        listing.crisis_pinned,
        category.name,
        category.name_en,
        listing.pk,
        listing.title,
        listing.commune,
        listing.departement,
        listing.company.name,
        getattr(listing, "distance_km", None) is not None,
    )


def _render(listing) -> SafeString:
    has_distance = getattr(listing, "distance_km", None) is not None
    return mark_safe(  # noqa: S308 - rendered by a template, escaped there
        render_to_string(
            "listings/_card.html",
            {"listing": listing, "distance": DISTANCE_MARK if has_distance else None},
        )
    )


def _kilometres(distance_km: float) -> str:
    # As the template filter floatformat:0 gives it (half rounded up, no grouping), without
    # its ~50 calls.
    return str(Decimal(repr(distance_km)).quantize(_ONE, rounding=ROUND_HALF_UP))


_ONE = Decimal(1)


def listing_cards(listings) -> SafeString:
    """The cards of `listings`, one after the other, each with its distance when the listing
    comes from a search with a point ("à 12 km")."""
    language, script_prefix = get_language(), get_script_prefix()
    distance_format = _("à %(d)s km")
    html = []
    for listing in listings:
        card = _cards.get(card_key(listing, language, script_prefix), lambda: _render(listing))  # noqa: B023 - called at once
        distance = getattr(listing, "distance_km", None)
        if distance is not None:
            card = card.replace(DISTANCE_MARK, distance_format % {"d": _kilometres(distance)}, 1)
        html.append(card)
    return mark_safe("".join(html))  # noqa: S308 - kept cards, escaped by their template


@functools.lru_cache(maxsize=20_000)
def _detail_url(urlconf, prefix: str, pk: int) -> str:
    return reverse("listings:detail", args=[pk], urlconf=urlconf)


def detail_urls(pks: list[int]) -> list[str]:
    """The listing pages' URLs (the map's pins link to them): each reversed once per process,
    under the URL conf and script prefix in force."""
    urlconf, prefix = get_urlconf(), get_script_prefix()
    return [_detail_url(urlconf, prefix, pk) for pk in pks]


def forget() -> None:
    """Drop this process's kept cards (tests)."""
    _cards.clear()
    _detail_url.cache_clear()
