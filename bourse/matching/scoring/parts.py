"""The four parts of a score that need no text (category, distance, availability, quantity),
who may be a candidate at all, and the bound a row's score cannot exceed before its text is read.

Availability is the share of the need's window the offer's window covers, counted from today: an
open-ended need counts its first HORIZON_DAYS days, a need without a window starts today.
"""

import math
from datetime import date

from django.utils import timezone

from .features import (
    CATEGORY_EXACT,
    CATEGORY_FAMILY,
    HORIZON_DAYS,
    PARTS,
    QUANTITY_NEUTRAL,
    WEIGHTS,
    Features,
)


# --- Eligibility ------------------------------------------------------------------------------
def opposite_kind(kind: str) -> str:
    return "need" if kind == "offer" else "offer"


def max_radius(a: Features, b: Features) -> float:
    return max(a.radius_km, b.radius_km)


def is_candidate(base: Features, other: Features, distance_km: float) -> bool:
    """The product rule (other listing assumed published by a verified company)."""
    return (
        other.id != base.id
        and other.company_id != base.company_id
        and other.kind == opposite_kind(base.kind)
        and other.family_id == base.family_id
        and distance_km <= max_radius(base, other)
    )


# --- The five parts ---------------------------------------------------------------------------
def category_part(base: Features, other: Features) -> float:
    if base.category_id == other.category_id:
        return CATEGORY_EXACT
    if base.family_id == other.family_id:
        return CATEGORY_FAMILY
    return 0.0


def distance_part(distance_km: float, radius_a: float, radius_b: float) -> float:
    reach = max(radius_a, radius_b)
    if reach <= 0:
        return 0.0
    return min(1.0, max(0.0, 1.0 - distance_km / reach))


def _ordinal(value: date | str | None, default: float) -> float:
    if value is None:
        return default
    if isinstance(value, str):  # a row read without converters (SQLite)
        value = date.fromisoformat(value)
    return float(value.toordinal())


def need_window(start, until, today: float) -> tuple[float, float]:
    """The days of a need that availability counts, as ordinals: from today (or its start when
    later) to its end, or its first HORIZON_DAYS days when it has no end. A need whose window
    is all in the past keeps it (nothing covers it any more, unless the offer is as old)."""
    first = _ordinal(start, today)
    last = _ordinal(until, math.inf)
    if last >= today:
        first = max(first, today)
    elif first > last:
        first = last
    if math.isinf(last):
        last = first + HORIZON_DAYS - 1
    return first, last


def coverage(need_first: float, need_last: float, offer_first: float, offer_last: float) -> float:
    """The share of the need's days [need_first, need_last] the offer's window covers."""
    first, last = max(need_first, offer_first), min(need_last, offer_last)
    if first > last:
        return 0.0
    return (last - first + 1) / (need_last - need_first + 1)


def availability_part(
    need_from: date | None,
    need_until: date | None,
    offer_from: date | None,
    offer_until: date | None,
    *,
    today: date,
) -> float:
    """How much of the need's window (need_window) the offer's window covers, in [0, 1]."""
    first, last = need_window(need_from, need_until, float(today.toordinal()))
    return coverage(first, last, _ordinal(offer_from, -math.inf), _ordinal(offer_until, math.inf))


def quantity_part(base: Features, other: Features) -> float | None:
    """How much of the need the offer covers; None when it cannot be compared (neutral)."""
    offer, need = (base, other) if base.kind == "offer" else (other, base)
    if offer.quantity is None or need.quantity is None:
        return None
    if not offer.unit or offer.unit != need.unit:
        return None
    need_qty, offer_qty = float(need.quantity), float(offer.quantity)
    if need_qty <= 0:
        return None
    return min(1.0, max(0.0, offer_qty / need_qty))


# --- The score --------------------------------------------------------------------------------
def combine(parts: dict[str, float]) -> float:
    return min(1.0, max(0.0, sum(WEIGHTS[name] * parts[name] for name in PARTS)))


class CheapScorer:
    """The parts other than text for many counterparts of one listing, with what depends on
    that listing computed once (the candidate query scores hundreds of rows per call).

    Same formulas as category_part, distance_part, availability_part and quantity_part;
    `today` (the local date by default) is when a need's window starts counting.
    """

    __slots__ = ("base", "family_id", "start", "end", "base_qty", "base_is_offer", "today")

    def __init__(self, base: Features, *, today: date | None = None):
        self.base = base
        self.family_id = base.family_id
        self.today = float((today or timezone.localdate()).toordinal())
        self.base_qty = float(base.quantity) if base.quantity is not None else None
        self.base_is_offer = base.kind == "offer"
        if self.base_is_offer:
            self.start = _ordinal(base.available_from, -math.inf)
            self.end = _ordinal(base.available_until, math.inf)
        else:
            self.start, self.end = need_window(
                base.available_from, base.available_until, self.today
            )

    def parts(
        self,
        category_id: int,
        parent_id: int | None,
        distance_km: float,
        radius_km: float,
        available_from: date | None,
        available_until: date | None,
        quantity,
        unit: str,
    ) -> tuple[float, float, float, float | None]:
        """(category, distance, availability, quantity or None when not comparable)."""
        base = self.base
        if category_id == base.category_id:
            category = CATEGORY_EXACT
        elif (parent_id if parent_id is not None else category_id) == self.family_id:
            category = CATEGORY_FAMILY
        else:
            category = 0.0
        reach = max(base.radius_km, radius_km)
        distance = min(1.0, max(0.0, 1.0 - distance_km / reach)) if reach > 0 else 0.0
        if self.base_is_offer:
            need_first, need_last = need_window(available_from, available_until, self.today)
            availability = coverage(need_first, need_last, self.start, self.end)
        else:
            availability = coverage(
                self.start,
                self.end,
                _ordinal(available_from, -math.inf),
                _ordinal(available_until, math.inf),
            )
        compared = None
        if quantity is not None and self.base_qty is not None and unit and unit == base.unit:
            offer_qty, need_qty = (
                (self.base_qty, float(quantity))
                if self.base_is_offer
                else (float(quantity), self.base_qty)
            )
            if need_qty > 0:
                compared = min(1.0, max(0.0, offer_qty / need_qty))
        return category, distance, availability, compared

    def upper_bound(self, parts: tuple[float, float, float, float | None]) -> float:
        """The best score a counterpart with these parts can reach (text similarity 1)."""
        category, distance, availability, quantity = parts
        return (
            WEIGHTS["category"] * category
            + WEIGHTS["distance"] * distance
            + WEIGHTS["availability"] * availability
            + WEIGHTS["quantity"] * (QUANTITY_NEUTRAL if quantity is None else quantity)
            + WEIGHTS["text"]
        )


def parts_dict(parts: tuple[float, float, float, float | None]) -> tuple[dict, bool]:
    category, distance, availability, quantity = parts
    return (
        {
            "category": category,
            "distance": distance,
            "availability": availability,
            "quantity": QUANTITY_NEUTRAL if quantity is None else quantity,
            "text": 0.0,
        },
        quantity is not None,
    )


def cheap_parts(base: Features, other: Features, distance_km: float) -> tuple[dict, bool]:
    """Every part but text (which costs a tokenisation), and whether quantities were compared."""
    return parts_dict(
        CheapScorer(base).parts(
            other.category_id,
            other.parent_id,
            distance_km,
            other.radius_km,
            other.available_from,
            other.available_until,
            other.quantity,
            other.unit,
        )
    )


def upper_bound(parts: dict[str, float]) -> float:
    """The best score these parts can reach whatever the text similarity."""
    return combine({**parts, "text": 1.0})
