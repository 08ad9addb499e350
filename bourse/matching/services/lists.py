"""Stored suggestion lists: each published listing's best counterparts, computed when listings
change, so that the suggestions page and the API read them instead of scoring on every view.

A list holds the `stored_size()` best counterparts of its listing (30 by default: the API shows
20, the rest absorbs counterparts that leave before the list is next computed), scored from
that listing's side without the feedback factor (what its company dismissed, applied when read:
bourse.matching.suggestions). Its floor is the rank key every counterpart not stored ranks
after, or none when all of them are stored.

- `list_store`: compute a listing's list and replace the stored one (a list missing, stale or
  too short when read; the daily refresh).
- `list_rematch`: what the rematch task adds when a listing is published, edited or renewed:
  its own list, and the listing put into the list of each counterpart it now belongs to, scored
  from that counterpart's side (the score is not quite symmetric: the common words and the
  contradictions are spelled from the reader's side, and their count can differ), and taken
  out of the lists it no longer belongs to.
- `lists_forget_restored`: a dismissal undone brings a counterpart back: the lists it may
  belong to are dropped (computed again when read).
- `suggestion_lists_refresh`: the periodic job: lists of listings that left are deleted, live
  listings without a list get one (and join their counterparts' lists), lists computed before
  today are computed again (the availability part counts from today).

Every write first locks the lists it changes, in listing order, in one statement (PostgreSQL
advisory locks, which need no row to exist yet: two new neighbours rematched at once have no
list to lock); rematches of neighbouring listings then wait for each other instead of losing an
insertion or deadlocking. SQLite has one writer at a time anyway.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone, translation

from bourse.geo.distance import haversine_km
from bourse.listings.models import Category, Listing

from .. import candidates, queries, scoring
from ..models import Dismissal, StoredSuggestion, SuggestionList
from ..queries import Ranking
from ..scoring import Features, Scored

DEFAULT_STORED = 30
# The first key of the advisory locks of the lists (the second is the listing's id).
LOCK_NAMESPACE = 0x6D617463
ENTRY_FIELDS = (
    "score",
    "distance_km",
    "parts",
    "quantity_compared",
    "requirements",
    "checks",
    "common_words",
)


def stored_size() -> int:
    """How many counterparts a list keeps (settings.MATCHING_STORED_SUGGESTIONS, 30 by
    default; at least the 20 the API returns)."""
    return max(queries.TOP, int(getattr(settings, "MATCHING_STORED_SUGGESTIONS", DEFAULT_STORED)))


def rank_key(score: float, distance_km: float, listing_id: int) -> tuple[float, float, int]:
    """The order of suggestions: higher score (rounded to 4 places), then nearer, then lower
    id (queries.score_top's)."""
    return (-score, distance_km, listing_id)


def raw_score(scored: Scored) -> float:
    """The score before the feedback factor, unrounded: scoring.score_pair multiplies it by
    the feedback factor, then rounds; so does the read path, with the same floats."""
    return scoring.combine(scored.parts) * scored.requirements


def start_of_today() -> datetime.datetime:
    """Lists computed before this moment counted availability from an earlier day."""
    today = timezone.localdate()
    return timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))


def _lock_lists(listing_ids) -> None:
    """Lock the lists of these listings until the transaction ends, in listing order."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        # PostgreSQL evaluates a volatile function of the select list after the sort.
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, x::int) FROM unnest(%s::bigint[]) AS x ORDER BY x",
            [LOCK_NAMESPACE, sorted(set(listing_ids))],
        )


# --- What a row holds -------------------------------------------------------------------------
def _checks(base: Features, other: Features, lexicon, scored: Scored) -> list[dict]:
    """The checks of `scored` with their text in each language of the site (a page in English
    reads the English text; the checks are worded when scored)."""
    if not scored.checks:
        return []
    base_words = scoring.analyse(base.text, lexicon)
    other_words = scoring.analyse(other.text, lexicon)
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = [
                check.text
                for check in scoring.requirement_checks(base, other, base_words, other_words)
            ]
    return [
        {"status": check.status, "text": {code: texts[code][i] for code in texts}}
        for i, check in enumerate(scored.checks)
    ]


def _row(list_id: int, scored: Scored, checks: list[dict]) -> StoredSuggestion:
    return StoredSuggestion(
        suggestion_list_id=list_id,
        counterpart_id=scored.listing_id,
        score=raw_score(scored),
        distance_km=scored.distance_km,
        parts=dict(scored.parts),
        quantity_compared=scored.quantity_compared,
        requirements=scored.requirements,
        checks=checks,
        common_words=list(scored.common_words),
    )


def _header(listing_id: int, best: list[Scored], now) -> SuggestionList:
    floor = best[-1] if len(best) >= stored_size() else None
    return SuggestionList(
        listing_id=listing_id,
        computed_at=now,
        floor_score=floor.score if floor else None,
        floor_distance_km=floor.distance_km if floor else None,
        floor_listing_id=floor.listing_id if floor else None,
    )


# --- A listing's own list ---------------------------------------------------------------------
def _rank(listing: Listing, dismissed_ids: set[int] | None = None) -> Ranking | None:
    """The listing's stored_size() best counterparts, without the feedback factor (the
    company's dismissed listings left out)."""
    if dismissed_ids is None:
        dismissed_ids = candidates.dismissed(listing.company_id)[0]
    return queries.rank(listing, limit=stored_size(), dismissed=(dismissed_ids, {}))


def _write_own(listing: Listing, ranking: Ranking | None, now) -> list[Scored]:
    best = ranking.best if ranking is not None else []
    SuggestionList.objects.bulk_create(
        [_header(listing.pk, best, now)],
        update_conflicts=True,
        unique_fields=["listing"],
        update_fields=["computed_at", "floor_score", "floor_distance_km", "floor_listing_id"],
    )
    StoredSuggestion.objects.filter(suggestion_list_id=listing.pk).delete()
    if best:
        rows = {row[0]: row for row in ranking.rows}
        StoredSuggestion.objects.bulk_create(
            [
                _row(
                    listing.pk,
                    s,
                    _checks(ranking.base, ranking.features(rows[s.listing_id]), ranking.lexicon, s),
                )
                for s in best
            ]
        )
    return best


@transaction.atomic
def list_store(*, listing: Listing, dismissed_ids: set[int] | None = None) -> Ranking | None:
    """Compute `listing`'s list and store it in place of the one stored (a listing that is not
    live gets an empty one). Returns its ranking (`best`: the counterparts stored, best first,
    without the feedback factor). `listing` needs its company and category loaded;
    `dismissed_ids`: what its company dismissed, when the caller read it."""
    now = timezone.now()
    # Two readers recomputing it at once write it one after the other.
    _lock_lists([listing.pk])
    ranking = _rank(listing, dismissed_ids)
    _write_own(listing, ranking, now)
    return ranking


# --- A published listing joins its counterparts' lists ----------------------------------------
@transaction.atomic
def list_rematch(*, listing: Listing, dismissed_ids: set[int] | None = None) -> Ranking | None:
    """Store `listing`'s own list, put it into the lists of the counterparts it now ranks in
    and take it out of the others (its score may have changed: an edit). Returns its ranking
    (None when it is not live or has no counterpart within reach)."""
    now = timezone.now()
    ranking = _rank(listing, dismissed_ids)
    rows = {row[0]: row for row in ranking.rows} if ranking is not None else {}
    # Every list this writes, locked in listing order (no deadlock between two rematches).
    _lock_lists([listing.pk, *rows])
    headers = SuggestionList.objects.in_bulk([listing.pk, *rows])
    _write_own(listing, ranking, now)
    kept: list[StoredSuggestion] = []
    if ranking is not None:
        kept = _join_counterparts(listing, ranking, rows, headers)
    # Out of every list it no longer ranks in (it left their reach or fell below their floor).
    StoredSuggestion.objects.filter(counterpart_id=listing.pk).exclude(
        suggestion_list_id__in=[row.suggestion_list_id for row in kept]
    ).delete()
    if kept:
        StoredSuggestion.objects.bulk_create(
            kept,
            update_conflicts=True,
            unique_fields=["suggestion_list", "counterpart"],
            update_fields=list(ENTRY_FIELDS),
        )
        _trim({row.suggestion_list_id for row in kept}, headers)
    return ranking


def _join_counterparts(
    listing: Listing, ranking: Ranking, rows: dict[int, tuple], headers: dict
) -> list[StoredSuggestion]:
    """The rows putting `listing` into each counterpart's list it ranks in: scored from the
    counterpart's side, only where its bound can reach the list's floor."""
    dismissed_by = set(
        Dismissal.objects.filter(listing_id=listing.pk).values_list("company_id", flat=True)
    )
    base = ranking.base
    contenders = []
    for other_id, header in headers.items():
        row = rows.get(other_id)
        if row is None or row[1] in dismissed_by:
            continue
        floor = header.floor
        if floor is not None and ranking.bounds[other_id] + 1e-4 < -floor[0]:
            continue  # even with the best text it cannot reach that list's floor
        contenders.append((row, floor))
    missing = [row[0] for row, _floor in contenders if row[0] not in ranking.texts]
    for start in range(0, len(missing), queries.TEXT_BATCH):
        ranking.texts.update(candidates.texts(missing[start : start + queries.TEXT_BATCH]))
    kept = []
    for row, floor in contenders:
        other = ranking.features(row)
        # The distance as the counterpart's own list measures it.
        d = haversine_km(other.latitude, other.longitude, base.latitude, base.longitude)
        if not scoring.is_candidate(other, base, d):
            continue
        scored = scoring.score_pair(other, base, d, lexicon=ranking.lexicon)
        if floor is not None and rank_key(scored.score, scored.distance_km, base.id) > floor:
            continue
        kept.append(_row(other.id, scored, _checks(other, base, ranking.lexicon, scored)))
    return kept


def _trim(list_ids: set[int], headers: dict) -> None:
    """Lists past stored_size() keep their best; the last kept becomes their floor."""
    size = stored_size()
    full = list(
        StoredSuggestion.objects.filter(suggestion_list_id__in=list_ids)
        .values("suggestion_list_id")
        .annotate(n=Count("id"))
        .filter(n__gt=size)
        .values_list("suggestion_list_id", flat=True)
    )
    if not full:
        return
    by_list: dict[int, list[tuple]] = {}
    for pk, list_id, score, distance_km, counterpart_id in StoredSuggestion.objects.filter(
        suggestion_list_id__in=full
    ).values_list("pk", "suggestion_list_id", "score", "distance_km", "counterpart_id"):
        key = rank_key(round(score, 4), distance_km, counterpart_id)
        by_list.setdefault(list_id, []).append((key, pk))
    dropped, changed = [], []
    for list_id, entries in by_list.items():
        entries.sort()
        dropped += [pk for _key, pk in entries[size:]]
        header = headers[list_id]
        last = entries[size - 1][0]
        header.floor_score, header.floor_distance_km, header.floor_listing_id = (
            -last[0],
            last[1],
            last[2],
        )
        changed.append(header)
    StoredSuggestion.objects.filter(pk__in=dropped).delete()
    SuggestionList.objects.bulk_update(
        changed, ["floor_score", "floor_distance_km", "floor_listing_id"]
    )


# --- Feedback: what the company dismissed ------------------------------------------------------
def with_feedback(scored: Scored, dismissed_alike: dict[int, int], category_id: int) -> Scored:
    """`scored` (stored without feedback) as scoring.score_pair gives it for a company that
    dismissed dismissed_alike[category] suggestions of the counterpart's category."""
    n = dismissed_alike.get(category_id, 0)
    feedback = scoring.feedback_factor(n)
    return Scored(
        listing_id=scored.listing_id,
        score=round(raw_score(scored) * feedback, 4),
        distance_km=scored.distance_km,
        parts=scored.parts,
        common_words=scored.common_words,
        quantity_compared=scored.quantity_compared,
        requirements=scored.requirements,
        checks=scored.checks,
        feedback=feedback,
        dismissed_alike=n,
    )


def exact_top(
    ranked: list[Scored], floor: tuple[float, float, int] | None, limit: int
) -> list[Scored] | None:
    """The best `limit` of `ranked` (the valid stored counterparts with the feedback factor,
    any order) when they are the exact top of every counterpart; None when a counterpart not
    stored could rank among them (too few left above the floor).

    A counterpart not stored ranks after the floor without feedback, and the feedback factor
    only lowers a score: with it, it still ranks after the floor."""
    ranked = sorted(ranked, key=lambda s: rank_key(s.score, s.distance_km, s.listing_id))
    if floor is None:
        return ranked[:limit]
    if len(ranked) < limit:
        return None
    last = ranked[limit - 1]
    if rank_key(last.score, last.distance_km, last.listing_id) > floor:
        return None
    return ranked[:limit]


def ranking_top(
    ranking: Ranking | None, dismissed_alike: dict[int, int], limit: int
) -> list[Scored] | None:
    """The top `limit` with the feedback factor, from the stored_size() best without it (a
    ranking of _rank / list_rematch); None when they do not tell it (exact_top)."""
    if ranking is None:
        return []
    categories = {row[0]: row[3] for row in ranking.rows}
    best = ranking.best
    floor = None
    if len(best) >= stored_size():
        floor = rank_key(best[-1].score, best[-1].distance_km, best[-1].listing_id)
    ranked = [with_feedback(s, dismissed_alike, categories[s.listing_id]) for s in best]
    return exact_top(ranked, floor, limit)


# --- Dismissals undone ------------------------------------------------------------------------
def lists_forget_restored(*, company_id: int, listing: Listing) -> int:
    """`listing` is suggested to the company again: drop the company's lists it may belong to
    (the opposite kind, the same family), to be computed again when read. Returns how many."""
    family_id = listing.category.parent_id or listing.category_id
    family = Category.objects.filter(Q(pk=family_id) | Q(parent_id=family_id))
    deleted, _by_model = SuggestionList.objects.filter(
        listing__company_id=company_id,
        listing__kind=scoring.opposite_kind(listing.kind),
        listing__category__in=family,
    ).delete()
    return deleted


# --- The periodic refresh ---------------------------------------------------------------------
def lists_to_refresh() -> tuple[list[int], list[int]]:
    """(live listings without a list, live listings whose list was computed before today)."""
    due = Q(suggestion_list__isnull=True) | Q(suggestion_list__computed_at__lt=start_of_today())
    rows = (
        Listing.objects.published()
        .filter(due)
        .order_by("pk")
        .values_list("pk", "suggestion_list__computed_at")
    )
    missing = [pk for pk, computed_at in rows if computed_at is None]
    stale = [pk for pk, computed_at in rows if computed_at is not None]
    return missing, stale


def lists_of_gone_listings_delete() -> int:
    """Lists of listings that left the exchange (closed, expired, hidden, company suspended):
    nobody reads them, and a listing that comes back gets a new one (and joins its
    counterparts' lists again)."""
    deleted, _by_model = SuggestionList.objects.exclude(
        listing__in=Listing.objects.published()
    ).delete()
    return deleted


def lists_refresh(listing_ids: Iterable[int], *, join: bool = True) -> int:
    """Bring each listing's list up to date, one transaction each: a live listing without a
    list gets one and (`join`) joins its counterparts' lists; a list computed before today is
    computed again. A listing that left or was refreshed since is skipped. Returns how many
    were."""
    start = start_of_today()
    done = 0
    for listing in (
        Listing.objects.published()
        .filter(pk__in=list(listing_ids))
        .select_related("company", "category", "suggestion_list")
        .order_by("pk")
    ):
        header = getattr(listing, "suggestion_list", None)
        if header is None and join:
            list_rematch(listing=listing)
        elif header is None or header.computed_at < start:
            list_store(listing=listing)
        else:
            continue
        done += 1
    return done


def suggestion_lists_fill() -> dict[str, int]:
    """Every list brought up to date here and now (`manage.py fill_suggestion_lists`, the
    demo): the lists of listings that left deleted, the missing ones computed, the stale ones
    computed again. The first time (no list stored yet: after deploying them) each listing's
    own list is enough, every one being computed from the whole exchange: joining the
    counterparts' lists, which a listing missing among stored lists needs, would double the
    work for nothing."""
    first = not SuggestionList.objects.exists()
    gone = lists_of_gone_listings_delete()
    missing, stale = lists_to_refresh()
    lists_refresh(missing + stale, join=not first)
    return {"deleted": gone, "missing": len(missing), "stale": len(stale)}
