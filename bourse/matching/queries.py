"""Reads of the matching app: the counterparts of a listing, best first.

How a listing's top 20 is found without scoring the whole exchange (the statements are in
bourse.matching.candidates, written once as SQL):

1. SQL narrows to the candidates the product rules allow: published and live, of a verified
   company, opposite kind, another company, a category of the same family, and within reach.
   "Within reach" means distance ≤ max(r1, r2) where r2 is the candidate's own radius, so the
   bounding box is drawn with the largest radius among published listings of that kind and
   family (read with the family's categories, in one statement), and the haversine term is
   then compared in SQL with that of max(r1, r2). The index `matching_listing_category_geo`
   (migrations 0003 and 0005) starts with the category and covers every column read, so a
   200 km box in a dense region reads only index entries of the family.
2. Python computes the exact distance (the reference's function) and the cheap parts of the
   score (category, distance, availability, quantity) of each remaining row, which bound its
   final score from below (text = 0) and above (text = 1); dismissed listings are left out.
3. Texts are fetched and compared only for the rows whose upper bound can still beat the 20th
   best score found so far, in batches by decreasing upper bound; the result is exact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from bourse.geo.distance import haversine_km
from bourse.listings import crises
from bourse.listings.models import Listing

from . import candidates, scoring
from .models import Dismissal, SavedSearch
from .scoring import Features, Scored

TOP = 20
TEXT_BATCH = 40


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


MATCHING_INDEX = "matching_listing_category_geo"
SQLITE_MATCHING_INDEX = (
    f"CREATE INDEX IF NOT EXISTS {MATCHING_INDEX} ON listings_listing "
    "(category_id, kind, status, latitude, longitude, radius_km, expires_at, company_id, "
    "available_from, available_until, quantity, unit)"
)
_sqlite_index_checked: set[str] = set()


def ensure_sqlite_matching_index(conn) -> None:
    """Restore the index of migration matching 0003 if a SQLite table rebuild (a later
    migration of listings) dropped it. Checked once per process and database."""
    if conn.vendor != "sqlite" or conn.settings_dict["NAME"] in _sqlite_index_checked:
        return
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE name IN (%s, %s)",
            ["listings_listing", MATCHING_INDEX],
        )
        present = {row[0] for row in cursor.fetchall()}
        if present == {"listings_listing"}:
            cursor.execute(SQLITE_MATCHING_INDEX)
    _sqlite_index_checked.add(conn.settings_dict["NAME"])


def candidate_rows(listing: Listing, *, exclude_dismissed: bool = True) -> list[tuple]:
    """Every counterpart the product rules allow, as candidates.candidate_rows gives them
    (unscored, unordered; the benchmark counts them)."""
    if not listing.is_live or listing.company.status != "verified":
        return []
    _family, names_by_category, largest = candidates.family(
        listing.category_id, listing.category.parent_id, scoring.opposite_kind(listing.kind)
    )
    if largest is None:
        return []
    return candidates.candidate_rows(
        listing,
        category_ids=list(names_by_category),
        largest=largest,
        exclude_company_dismissals=exclude_dismissed,
        now=timezone.now(),
    )


def score_top(
    listing: Listing,
    *,
    limit: int = TOP,
    exclude_dismissed: bool = True,
    dismissed: tuple[set[int], dict[int, int]] | None = None,
) -> list[Scored]:
    """The `limit` best counterparts of `listing`, scored, best first (ties: nearer, then lower
    id first). Empty when the listing is not live on the exchange. `dismissed`: what the
    company dismissed (candidates.dismissed), when the caller already read it (several listings
    of one company)."""
    ranking = rank(listing, limit=limit, exclude_dismissed=exclude_dismissed, dismissed=dismissed)
    return ranking.best if ranking is not None else []


@dataclass
class Ranking:
    """A listing's top and what was read to find it, for a caller that goes on with the same
    rows (bourse.matching.services.lists scores the listing from each counterpart's side)."""

    best: list[Scored]
    base: Features
    base_words: scoring.Analysis
    lexicon: scoring.Lexicon
    family_id: int
    names_by_category: dict[int, tuple[str, ...]]
    # Every candidate row within reach (dismissed ones too): candidates.candidate_rows.
    rows: list[tuple]
    # {id: upper bound of its score} of each row (scoring.CheapScorer.upper_bound).
    bounds: dict[int, float]
    # {id: (text, attribute values)} of the rows whose text was read.
    texts: dict[int, tuple[str, dict | None]]

    def features(self, row: tuple) -> Features:
        """The Features of a candidate row (its text must be in `texts`)."""
        text, attributes = self.texts.get(row[0], ("", None))
        return Features(
            id=row[0],
            company_id=row[1],
            kind=row[2],
            category_id=row[3],
            parent_id=None if row[3] == self.family_id else self.family_id,
            latitude=row[4],
            longitude=row[5],
            radius_km=row[6],
            available_from=_as_date(row[7]),
            available_until=_as_date(row[8]),
            quantity=row[9],
            unit=row[10],
            text=text,
            attributes=attributes,
            attribute_names=self.names_by_category.get(row[3], ()),
        )


def rank(
    listing: Listing,
    *,
    limit: int = TOP,
    exclude_dismissed: bool = True,
    dismissed: tuple[set[int], dict[int, int]] | None = None,
) -> Ranking | None:
    """score_top with what it read; None when the listing is not live or nothing is within
    reach of its kind and family."""
    if not listing.is_live or listing.company.status != "verified":
        return None
    ensure_sqlite_matching_index(connection)
    family_id, names_by_category, largest = candidates.family(
        listing.category_id, listing.category.parent_id, scoring.opposite_kind(listing.kind)
    )
    if largest is None:
        return None
    if dismissed is None:
        dismissed = candidates.dismissed(listing.company_id)
    dismissed_ids, dismissed_alike = dismissed
    rows = candidates.candidate_rows(
        listing,
        category_ids=list(names_by_category),
        largest=largest,
        exclude_company_dismissals=False,
        now=timezone.now(),
    )
    base = Features.of(listing)
    scorer = scoring.CheapScorer(base)
    lexicon = scoring.Lexicon.current()
    base_words = scoring.analyse(base.text, lexicon)
    ranking = Ranking(
        best=[],
        base=base,
        base_words=base_words,
        lexicon=lexicon,
        family_id=family_id,
        names_by_category=names_by_category,
        rows=rows,
        bounds={},
        texts={},
    )
    pending = []
    for row in rows:
        # Every row is of the family: its parent is the family unless it is the family.
        parent_id = None if row[3] == family_id else family_id
        parts = scorer.parts(row[3], parent_id, row[11], row[6], row[7], row[8], row[9], row[10])
        bound = scorer.upper_bound(parts)
        ranking.bounds[row[0]] = bound
        if exclude_dismissed and row[0] in dismissed_ids:
            continue
        pending.append((bound, row[11], row[0], parts, row))
    pending.sort(key=lambda item: (-item[0], item[1], item[2]))
    best = ranking.best
    position = 0
    while position < len(pending):
        # Scores are rounded to 4 places: keep rows that could tie with the last one.
        floor = best[limit - 1].score - 1e-4 if len(best) >= limit else -1.0
        if pending[position][0] < floor:
            break  # no remaining row can enter the top: their upper bounds are lower
        batch = pending[position : position + TEXT_BATCH]
        position += len(batch)
        ranking.texts.update(candidates.texts([item[2] for item in batch]))
        for _bound, d, _pk, parts, row in batch:
            part_values, compared = scoring.parts_dict(parts)
            best.append(
                scoring.score_pair(
                    base,
                    ranking.features(row),
                    d,
                    base_words=base_words,
                    parts=part_values,
                    quantity_compared=compared,
                    lexicon=lexicon,
                    dismissed_alike=dismissed_alike.get(row[3], 0),
                    explain=False,
                )
            )
        best.sort(key=lambda s: (-s.score, s.distance_km, s.listing_id))
        del best[limit:]
    # The common words, for the few kept only.
    ranking.best = [
        replace(
            s,
            common_words=scoring.common_words(
                base_words,
                scoring.analyse(ranking.texts.get(s.listing_id, ("", None))[0], lexicon),
            ),
        )
        for s in best
    ]
    return ranking


def dismissed_by_category(company_id: int) -> dict[int, int]:
    """How many suggestions of each category the company dismissed (what lowers the others of
    that category: scoring.feedback_factor)."""
    return candidates.dismissed(company_id)[1]


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def suggestions_for(
    listing: Listing, *, limit: int = TOP, exclude_dismissed: bool = True
) -> list[Suggestion]:
    """The best counterparts of `listing` with their Listing rows loaded for display or the API
    (`for_api()`: company, category and photos in a constant number of queries)."""
    return suggestions_for_each([listing], limit=limit, exclude_dismissed=exclude_dismissed)[0]


def suggestions_for_each(
    listings: list[Listing], *, limit: int = TOP, exclude_dismissed: bool = True
) -> list[list[Suggestion]]:
    """suggestions_for of each listing (a company's suggestions page): each listing is scored
    on its own, and the counterparts of all of them are loaded together, in the same two
    queries whatever the number of listings (the page ran two per listing)."""
    dismissed = {
        company_id: candidates.dismissed(company_id)
        for company_id in {listing.company_id for listing in listings}
    }
    scored_lists = [
        score_top(
            listing,
            limit=limit,
            exclude_dismissed=exclude_dismissed,
            dismissed=dismissed[listing.company_id],
        )
        for listing in listings
    ]
    ids = {s.listing_id for scored in scored_lists for s in scored}
    loaded = Listing.objects.for_api().in_bulk(ids) if ids else {}
    # Crisis mode: in a département in crisis, the needs of its priority categories come first
    # (a stable sort: by score within each group). Read from the cache, no query per row.
    pins = {d: crises.pin_for(d) for d in {listing.departement for listing in listings}}
    result = []
    for listing, scored in zip(listings, scored_lists, strict=True):
        found = [Suggestion(loaded[s.listing_id], s) for s in scored if s.listing_id in loaded]
        pin = pins[listing.departement]
        if pin is not None:
            found.sort(key=lambda suggestion: not pin.matches(suggestion.listing))
        result.append(found)
    return result


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
    lexicon = scoring.Lexicon.current()
    base_words = scoring.analyse(base.text, lexicon)
    alike = dismissed_by_category(listing.company_id)
    results = []
    for other in _all_published_features():
        if other.id in dismissed:
            continue
        d = haversine_km(base.latitude, base.longitude, other.latitude, other.longitude)
        if not scoring.is_candidate(base, other, d):
            continue
        results.append(
            scoring.score_pair(
                base,
                other,
                d,
                base_words=base_words,
                lexicon=lexicon,
                dismissed_alike=alike.get(other.category_id, 0),
            )
        )
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
        "attributes",
        "category__attributes",
    )
    for row in rows.iterator(chunk_size=5000):
        yield Features(
            *row[:12],
            text=f"{row[12]}\n{row[13]}",
            attributes=row[14],
            attribute_names=tuple(row[15] or ()),
        )


def saved_searches_matching(listing: Listing) -> list[SavedSearch]:
    """Other companies' saved searches that a (newly published) listing fits.

    SQL narrows by kind and category; the point/radius and the words are checked in Python on
    plain rows, and only the searches that fit are loaded as objects (with their company).
    """
    category = listing.category
    categories = [category.pk] + ([category.parent_id] if category.parent_id else [])
    rows = (
        SavedSearch.objects.exclude(company_id=listing.company_id)
        .filter(company__status="verified")
        .filter(Q(kind="") | Q(kind=listing.kind))
        .filter(Q(category__isnull=True) | Q(category_id__in=categories))
        .order_by()
        .values_list("pk", "latitude", "longitude", "radius_km", "q")
    )
    stems = None
    fitting = []
    for pk, lat, lon, radius_km, q in rows:
        outside = (
            lat is not None
            and lon is not None
            and haversine_km(lat, lon, listing.latitude, listing.longitude) > radius_km
        )
        if outside:
            continue
        if q:
            wanted = scoring.word_stems(q)
            if stems is None:
                stems = scoring.word_stems(f"{listing.title}\n{listing.description}")
            if wanted and not wanted <= stems:
                continue
        fitting.append(pk)
    if not fitting:
        return []
    return list(SavedSearch.objects.select_related("company").filter(pk__in=fitting).order_by("pk"))
