"""What the suggestions page, a listing's page and the API read: the stored lists
(bourse.matching.services.lists), not a scoring of every candidate on every view.

For the listings of one company, in the same queries whatever their number:

1. what the company dismissed (candidates.dismissed: the listings, and how many of each
   category, for the feedback factor),
2. the lists' headers (when computed, their floor),
3. their rows whose counterpart is still on the exchange (published, not expired, of a
   verified company), with the counterpart's category,
4. the counterparts shown, loaded for display (Listing.objects.for_api(): company, category,
   photos).

Each row gets the feedback factor of its category (the same floats as scoring.score_pair), the
dismissed ones are left out, and the best `limit` are kept when they are provably the exact
top (services.exact_top: enough of them rank before the list's floor). A list that is missing,
was computed before today, or lost too many rows (counterparts that left or were dismissed) is
computed again here, while the member waits: served stale or short instead, the page would
show suggestions the on-demand scoring would not, until a task came round. When the feedback
factor alone lowers too many rows of a whole fresh list, that listing is scored on demand
(queries.score_top with the company's dismissals), as before the lists: a company that
dismissed several suggestions of a category, for a top deeper than the list's margin.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone, translation

from bourse.listings import crises
from bourse.listings.models import Listing

from . import candidates, queries, services
from .models import StoredSuggestion, SuggestionList
from .queries import Suggestion
from .requirements import Check
from .scoring import Scored


def _language() -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    current = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return current if current in codes else settings.LANGUAGE_CODE


def _check(stored: dict, language: str) -> Check:
    texts = stored["text"]
    text = texts.get(language) or texts.get(settings.LANGUAGE_CODE) or next(iter(texts.values()))
    return Check(stored["status"], text)


def _stored_rows(list_ids: list[int], now) -> dict[int, list[tuple[Scored, int]]]:
    """{list: [(scored without feedback, counterpart's category)]} of the counterparts still
    on the exchange."""
    language = _language()
    rows = (
        StoredSuggestion.objects.filter(
            suggestion_list_id__in=list_ids,
            counterpart__status=Listing.Status.PUBLISHED,
            counterpart__expires_at__gt=now,
            counterpart__company__status="verified",
        )
        .order_by()
        .values_list(
            "suggestion_list_id",
            "counterpart_id",
            "counterpart__category_id",
            "distance_km",
            "parts",
            "quantity_compared",
            "requirements",
            "checks",
            "common_words",
        )
    )
    by_list: dict[int, list[tuple[Scored, int]]] = {}
    for list_id, pk, category_id, d, parts, compared, factor, checks, words in rows:
        scored = Scored(
            listing_id=pk,
            score=0.0,  # with_feedback computes it from the parts and the factor
            distance_km=d,
            parts=parts,
            common_words=tuple(words),
            quantity_compared=compared,
            requirements=factor,
            checks=tuple(_check(check, language) for check in checks),
        )
        by_list.setdefault(list_id, []).append((scored, category_id))
    return by_list


def _top_of(
    header: SuggestionList | None,
    rows: list[tuple[Scored, int]],
    dismissed: tuple[set[int], dict[int, int]],
    limit: int,
    start,
) -> tuple[list[Scored] | None, bool]:
    """(the top from the stored list or None, whether computing the list again can give it:
    not when the list is fresh and lost none of its rows, the feedback factor having lowered
    too many of them)."""
    if header is None or header.computed_at < start:
        return None, True
    dismissed_ids, alike = dismissed
    ranked = [
        services.with_feedback(scored, alike, category_id)
        for scored, category_id in rows
        if scored.listing_id not in dismissed_ids
    ]
    return services.exact_top(ranked, header.floor, limit), len(ranked) < services.stored_size()


def _recomputed_top(
    listing: Listing, dismissed: tuple[set[int], dict[int, int]], limit: int
) -> list[Scored]:
    ranking = services.list_store(listing=listing, dismissed_ids=dismissed[0])
    top = services.ranking_top(ranking, dismissed[1], limit)
    if top is None:
        top = queries.score_top(listing, limit=limit, dismissed=dismissed)
    return top


def suggestions_for_each(
    listings: list[Listing], *, limit: int = queries.TOP
) -> list[list[Suggestion]]:
    """The best `limit` counterparts of each listing (their company and category loaded),
    best first, with their Listing rows loaded for display; equal to
    queries.suggestions_for_each at that moment."""
    if not listings:
        return []
    now = timezone.now()
    start = services.start_of_today()
    live = [
        listing for listing in listings if listing.is_live and listing.company.status == "verified"
    ]
    dismissed = {
        company_id: candidates.dismissed(company_id)
        for company_id in {listing.company_id for listing in live}
    }
    ids = [listing.pk for listing in live]
    headers = SuggestionList.objects.in_bulk(ids) if ids else {}
    rows = _stored_rows(ids, now) if ids else {}
    tops: dict[int, list[Scored]] = {}
    # In listing order: a list recomputed here is locked until the end of an outer transaction,
    # and every writer takes its locks in that order.
    for listing in sorted(live, key=lambda listing: listing.pk):
        company_dismissed = dismissed[listing.company_id]
        header = headers.get(listing.pk)
        top, refill = _top_of(header, rows.get(listing.pk, []), company_dismissed, limit, start)
        if top is None and refill:
            top = _recomputed_top(listing, company_dismissed, limit)
        elif top is None:
            top = queries.score_top(listing, limit=limit, dismissed=company_dismissed)
        tops[listing.pk] = top
    shown = {s.listing_id for top in tops.values() for s in top}
    loaded = Listing.objects.for_api().in_bulk(shown) if shown else {}
    # Crisis mode: in a département in crisis, the needs of its priority categories come first
    # (a stable sort: by score within each group). Read from the cache once, no query per row.
    departements = {listing.departement for listing in live}
    active = crises.active_crises() if departements else []
    pins = {d: crises.pin_for(d, active) for d in departements}
    result = []
    for listing in listings:
        found = [
            Suggestion(loaded[s.listing_id], s)
            for s in tops.get(listing.pk, [])
            if s.listing_id in loaded
        ]
        pin = pins.get(listing.departement)
        if pin is not None:
            found.sort(key=lambda suggestion: not pin.matches(suggestion.listing))
        result.append(found)
    return result


def suggestions_for(listing: Listing, *, limit: int = queries.TOP) -> list[Suggestion]:
    """suggestions_for_each of one listing (the API, a listing's page)."""
    return suggestions_for_each([listing], limit=limit)[0]
