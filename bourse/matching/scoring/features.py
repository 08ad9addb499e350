"""What scoring knows about a listing (`Features`), what it returns (`Scored`), and the weights
of the five parts (`WEIGHTS`, and nowhere else)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ..requirements import Check

# --- The weights (they sum to 1, so the score stays in [0, 1]) ---------------------------------
WEIGHTS: dict[str, float] = {
    "category": 0.30,
    "distance": 0.20,
    "availability": 0.15,
    "quantity": 0.15,
    "text": 0.20,
}
CATEGORY_EXACT = 1.0
CATEGORY_FAMILY = 0.5
QUANTITY_NEUTRAL = 0.5
# An open-ended need counts its first four weeks: an offer from the autumn does not answer it.
HORIZON_DAYS = 28
PARTS = tuple(WEIGHTS)

assert abs(sum(WEIGHTS.values()) - 1.0) < 1e-9


@dataclass(frozen=True, slots=True)
class Features:
    """What scoring needs to know about a listing (built from a model or from a database row)."""

    id: int
    company_id: int
    kind: str
    category_id: int
    parent_id: int | None
    latitude: float
    longitude: float
    radius_km: float
    available_from: date | None = None
    available_until: date | None = None
    quantity: Decimal | float | None = None
    unit: str = ""
    text: str = ""
    # The values given in the listing's form (Listing.attributes) and the attribute names of
    # its category (Category.attributes).
    attributes: dict | None = None
    attribute_names: tuple[str, ...] = ()

    @property
    def family_id(self) -> int:
        """The parent category, or the category itself when it is a parent."""
        return self.parent_id if self.parent_id is not None else self.category_id

    @classmethod
    def of(cls, listing) -> "Features":
        """Features of a Listing instance (its category must be loaded or cheap to load)."""
        return cls(
            id=listing.pk,
            company_id=listing.company_id,
            kind=listing.kind,
            category_id=listing.category_id,
            parent_id=listing.category.parent_id,
            latitude=listing.latitude,
            longitude=listing.longitude,
            radius_km=listing.radius_km,
            available_from=listing.available_from,
            available_until=listing.available_until,
            quantity=listing.quantity,
            unit=listing.unit or "",
            text=f"{listing.title}\n{listing.description}",
            attributes=listing.attributes,
            attribute_names=tuple(listing.category.attributes or ()),
        )


@dataclass(frozen=True, slots=True)
class Scored:
    """One scored counterpart: the total, the five parts, the requirements and feedback
    factors, what the page explains."""

    listing_id: int
    score: float
    distance_km: float
    parts: dict[str, float]
    common_words: tuple[str, ...] = ()
    quantity_compared: bool = False
    extra: dict = field(default_factory=dict)
    requirements: float = 1.0
    checks: tuple[Check, ...] = ()
    feedback: float = 1.0
    dismissed_alike: int = 0

    def reasons(self) -> dict[str, float]:
        """The API's `reasons` object: the five parts, the requirements factor and the
        feedback factor."""
        reasons = {name: round(self.parts[name], 3) for name in PARTS}
        reasons["requirements"] = round(self.requirements, 3)
        reasons["feedback"] = round(self.feedback, 3)
        return reasons
