"""Reads of the matching app: the counterparts of a listing, best first.

How a listing's top 20 is found without scoring the whole exchange:

1. SQL narrows to the candidates the product rules allow: published and live
   (`Listing.objects.published()`), opposite kind, another company, a category of the same
   family, not dismissed by the listing's company, and within reach. "Within reach" means
   distance ≤ max(r1, r2) where r2 is the candidate's own radius, so the bounding box is drawn
   with the largest radius present among those candidates (one quick MAX query), and the exact
   haversine distance is then compared in SQL to GREATEST(r1, candidate.radius_km). The
   distance expression and the box come from bourse.listings.queries (the search's).
2. Python computes the cheap parts of the score (category, distance, availability, quantity) of
   each remaining row, which bound its final score from below (text = 0) and above (text = 1).
3. Texts are fetched and compared only for the rows whose upper bound can still beat the 20th
   best score found so far, in batches by decreasing upper bound; the result is exact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F, FloatField, Max, Q, QuerySet, Value
from django.db.models.functions import Greatest

from bourse.geo.distance import haversine_km
from bourse.listings.models import Category, Listing
from bourse.listings.queries import HaversineKm, box_q

from . import scoring
from .models import Dismissal, SavedSearch
from .scoring import Features, Scored

TOP = 20
TEXT_BATCH = 40

_ROW_FIELDS = (
    "id",
    "company_id",
    "kind",
    "category_id",
    "latitude",
    "longitude",
    "radius_km",
    "available_from",
    "available_until",
    "quantity",
    "unit",
    "distance_km",
)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A counterpart listing (loaded for display/serialisation) with its score."""

    listing: Listing
    scored: Scored

    @property
    def score(self) -> float:
        return self.scored.score

    @property
    def distance_km(self) -> float:
        return self.scored.distance_km

    def reasons(self) -> dict[str, float]:
        return self.scored.reasons()

    def describe(self) -> list[str]:
        return scoring.describe(self.scored)


def family_ids(category: Category) -> tuple[int, list[int]]:
    """The family of a category (its parent, or itself when it is a parent) and every category
    id of that family: the parent and all its children."""
    family_id = category.parent_id if category.parent_id is not None else category.pk
    ids = list(
        Category.objects.filter(Q(pk=family_id) | Q(parent_id=family_id)).values_list(
            "pk", flat=True
        )
    )
    return family_id, ids


def _no_parallel_plans() -> None:
    # On two cores PostgreSQL's parallel plans add tens of ms to index queries (MEASURED.md).
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")


def candidates_queryset(listing: Listing, *, exclude_dismissed: bool = True) -> QuerySet:
    """Published listings the rules allow as counterparts, before the distance test."""
    _, ids = family_ids(listing.category)
    qs = (
        Listing.objects.published()
        .filter(kind=scoring.opposite_kind(listing.kind), category_id__in=ids)
        .exclude(company_id=listing.company_id)
    )
    if exclude_dismissed:
        qs = qs.exclude(
            pk__in=Dismissal.objects.filter(company_id=listing.company_id).values("listing_id")
        )
    return qs


def within_reach(qs: QuerySet, listing: Listing) -> QuerySet:
    """Rows of `qs` whose distance to `listing` is ≤ max(listing radius, their radius),
    annotated with `distance_km`."""
    largest = qs.aggregate(largest=Max("radius_km"))["largest"]
    if largest is None:
        return qs.none().annotate(distance_km=Value(0.0, output_field=FloatField()))
    reach = max(float(listing.radius_km), float(largest))
    return (
        qs.filter(box_q(listing.latitude, listing.longitude, reach))
        .annotate(distance_km=HaversineKm(listing.latitude, listing.longitude))
        .filter(
            distance_km__lte=Greatest(
                Value(float(listing.radius_km), output_field=FloatField()),
                F("radius_km"),
                output_field=FloatField(),
            )
        )
    )


def score_top(
    listing: Listing, *, limit: int = TOP, exclude_dismissed: bool = True
) -> list[Scored]:
    """The `limit` best counterparts of `listing`, scored, best first (ties: nearer, then older
    id first). Empty when the listing is not live on the exchange."""
    if not listing.is_live or listing.company.status != "verified":
        return []
    base = Features.of(listing)
    with transaction.atomic():
        _no_parallel_plans()
        qs = within_reach(
            candidates_queryset(listing, exclude_dismissed=exclude_dismissed), listing
        )
        rows = list(qs.values_list(*_ROW_FIELDS))
        if not rows:
            return []
        family_id = base.family_id
        pending = []
        for row in rows:
            (pk, company_id, kind, category_id, lat, lon, radius, a_from, a_until, qty, unit, d) = (
                row
            )
            other = Features(
                id=pk,
                company_id=company_id,
                kind=kind,
                category_id=category_id,
                # Only exact/family matters: a family member that is not the family itself has
                # the family as parent.
                parent_id=None if category_id == family_id else family_id,
                latitude=lat,
                longitude=lon,
                radius_km=radius,
                available_from=a_from,
                available_until=a_until,
                quantity=qty,
                unit=unit,
            )
            parts, compared = scoring.cheap_parts(base, other, d)
            pending.append((scoring.upper_bound(parts), other, d, parts, compared))
        pending.sort(key=lambda item: (-item[0], item[2], item[1].id))
        base_words = scoring.stems_with_words(base.text)
        best: list[Scored] = []
        position = 0
        while position < len(pending):
            floor = best[limit - 1].score if len(best) >= limit else -1.0
            if pending[position][0] < floor:
                break  # no remaining row can enter the top: their upper bounds are lower
            batch = pending[position : position + TEXT_BATCH]
            position += len(batch)
            texts = {
                pk: f"{title}\n{description}"
                for pk, title, description in Listing.objects.filter(
                    pk__in=[item[1].id for item in batch]
                ).values_list("pk", "title", "description")
            }
            for _bound, other, d, parts, compared in batch:
                text = texts.get(other.id, "")
                best.append(
                    scoring.score_pair(
                        base,
                        _with_text(other, text),
                        d,
                        base_words=base_words,
                        parts=parts,
                        quantity_compared=compared,
                    )
                )
            best.sort(key=lambda s: (-s.score, s.distance_km, s.listing_id))
            del best[limit:]
    return best


def _with_text(features: Features, text: str) -> Features:
    return Features(
        id=features.id,
        company_id=features.company_id,
        kind=features.kind,
        category_id=features.category_id,
        parent_id=features.parent_id,
        latitude=features.latitude,
        longitude=features.longitude,
        radius_km=features.radius_km,
        available_from=features.available_from,
        available_until=features.available_until,
        quantity=features.quantity,
        unit=features.unit,
        text=text,
    )


def suggestions_for(
    listing: Listing, *, limit: int = TOP, exclude_dismissed: bool = True
) -> list[Suggestion]:
    """The best counterparts of `listing` with their Listing rows loaded for display or the API
    (`for_api()`: company, category and photos in a constant number of queries)."""
    scored = score_top(listing, limit=limit, exclude_dismissed=exclude_dismissed)
    if not scored:
        return []
    loaded = Listing.objects.for_api().in_bulk([s.listing_id for s in scored])
    return [
        Suggestion(listing=loaded[s.listing_id], scored=s) for s in scored if s.listing_id in loaded
    ]


def suggestions_naive(
    listing: Listing, *, limit: int = TOP, exclude_dismissed: bool = True
) -> list[Scored]:
    """Reference implementation: every published listing loaded and scored in Python.

    Slow on purpose (the benchmark's baseline) and obviously right (the tests compare it with
    `score_top`).
    """
    if not listing.is_live or listing.company.status != "verified":
        return []
    base = Features.of(listing)
    dismissed = set()
    if exclude_dismissed:
        dismissed = set(
            Dismissal.objects.filter(company_id=listing.company_id).values_list(
                "listing_id", flat=True
            )
        )
    base_words = scoring.stems_with_words(base.text)
    results = []
    for other in _all_published_features():
        if other.id in dismissed:
            continue
        d = haversine_km(base.latitude, base.longitude, other.latitude, other.longitude)
        if not scoring.is_candidate(base, other, d):
            continue
        results.append(scoring.score_pair(base, other, d, base_words=base_words))
    results.sort(key=lambda s: (-s.score, s.distance_km, s.listing_id))
    return results[:limit]


def _all_published_features() -> Iterable[Features]:
    rows = Listing.objects.published().values_list(
        "id",
        "company_id",
        "kind",
        "category_id",
        "category__parent_id",
        "latitude",
        "longitude",
        "radius_km",
        "available_from",
        "available_until",
        "quantity",
        "unit",
        "title",
        "description",
    )
    for row in rows.iterator(chunk_size=5000):
        yield Features(*row[:12], text=f"{row[12]}\n{row[13]}")


def saved_searches_matching(listing: Listing) -> list[SavedSearch]:
    """Other companies' saved searches that a (newly published) listing fits.

    SQL narrows by kind and category; the point/radius and the words are checked in Python on
    what is left (saved searches are few compared to listings).
    """
    category = listing.category
    categories = [category.pk] + ([category.parent_id] if category.parent_id else [])
    qs = (
        SavedSearch.objects.exclude(company_id=listing.company_id)
        .filter(company__status="verified")
        .filter(Q(kind="") | Q(kind=listing.kind))
        .filter(Q(category__isnull=True) | Q(category_id__in=categories))
        .select_related("company")
    )
    stems = None
    found = []
    for search in qs:
        if search.has_point:
            d = haversine_km(search.latitude, search.longitude, listing.latitude, listing.longitude)
            if d > search.radius_km:
                continue
        if search.q:
            wanted = scoring.word_stems(search.q)
            if stems is None:
                stems = scoring.word_stems(f"{listing.title}\n{listing.description}")
            if wanted and not wanted <= stems:
                continue
        found.append(search)
    return found
