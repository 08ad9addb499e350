"""One counterpart's score: the weighted parts times the requirements factor (what the need
requires against what the offer has, and contradictions) and the feedback factor (what the
company dismissed), and the reasons said in plain French."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import requirements
from ..requirements import Check
from .features import CATEGORY_EXACT, Features, Scored
from .parts import cheap_parts, combine
from .text import (
    Analysis,
    Lexicon,
    analyse,
    common_words,
    contradictions,
    fold,
    readable,
    text_part,
)


def score_pair(
    base: Features,
    other: Features,
    distance_km: float,
    *,
    base_words: Analysis | None = None,
    parts: dict[str, float] | None = None,
    quantity_compared: bool | None = None,
    lexicon: Lexicon | None = None,
    dismissed_alike: int = 0,
    explain: bool = True,
) -> Scored:
    """Score `other` as a counterpart of `base` at `distance_km`.

    `base_words` (analyse(base.text)) and the cheap `parts` may be passed in when the caller
    scores many counterparts of one listing. The weighted parts are multiplied by the
    requirements factor (requirement_factor): 1 when nothing contradicts. `explain=False` leaves
    the common words out (the caller adds them to the few it keeps).
    """
    if parts is None or quantity_compared is None:
        parts, quantity_compared = cheap_parts(base, other, distance_km)
    if base_words is None:
        base_words = analyse(base.text, lexicon)
    other_words = analyse(other.text, lexicon)
    parts = {**parts, "text": text_part(base_words.stems, other_words.stems)}
    checks = requirement_checks(base, other, base_words, other_words)
    factor = requirement_factor(checks)
    feedback = feedback_factor(dismissed_alike)
    return Scored(
        listing_id=other.id,
        score=round(combine(parts) * factor * feedback, 4),
        distance_km=round(distance_km, 1),
        parts=parts,
        common_words=common_words(base_words, other_words) if explain else (),
        quantity_compared=quantity_compared,
        requirements=factor,
        checks=checks,
        feedback=feedback,
        dismissed_alike=dismissed_alike,
    )


# --- Learning from what people dismiss ----------------------------------------------------------
# A company that dismissed several suggestions of one category sees the others of that
# category lower: from the second dismissal on, each multiplies their score by FEEDBACK_STEP,
# down to FEEDBACK_FLOOR (they are lowered, never hidden: "Masquer" hides one listing).
FEEDBACK_FROM = 2
FEEDBACK_STEP = 0.9
FEEDBACK_FLOOR = 0.6


def feedback_factor(dismissed_alike: int) -> float:
    """The factor of a suggestion whose category the company dismissed `dismissed_alike`
    suggestions of."""
    if dismissed_alike < FEEDBACK_FROM:
        return 1.0
    return max(FEEDBACK_FLOOR, FEEDBACK_STEP ** (dismissed_alike - FEEDBACK_FROM + 1))


# --- Requirements -------------------------------------------------------------------------------
# What a check that is not met costs, as a factor of the score (each check multiplies).
CHECK_FACTORS = {"met": 1.0, "unknown": 0.8, "partial": 0.6, "unmet": 0.3}
CONTRADICTION_FACTOR = 0.5
MAX_CONTRADICTIONS = 2


def requirement_checks(
    base: Features, other: Features, base_words: Analysis, other_words: Analysis
) -> tuple[Check, ...]:
    """What decides whether `other` can stand in for `base` (or `base` for `other`): the
    requirements the need states among its category's attributes, compared with what the offer
    has (bourse.matching.requirements), then words one listing says and the other negates."""
    need, offer = (base, other) if base.kind == "need" else (other, base)
    need_words, offer_words = (
        (base_words, other_words) if need is base else (other_words, base_words)
    )
    checks: list[Check] = []
    names = need.attribute_names
    if names:
        wanted = frozenset(names)
        need_values = requirements.values_of(
            need.attributes,
            requirements.read(
                need_words.folded or fold(need.text), wanted, need_words.stems, need_words.negated
            ),
        )
        offer_values = requirements.values_of(
            offer.attributes,
            requirements.read(
                offer_words.folded or fold(offer.text),
                wanted,
                offer_words.stems,
                offer_words.negated,
            ),
        )
        surface_as_quantity = offer.unit == "m2" and offer.quantity is not None
        if "surface_m2" in wanted and "surface_m2" not in offer_values and surface_as_quantity:
            offer_values["surface_m2"] = [float(offer.quantity)]
        checks.extend(requirements.compare(names, need_values, offer_values))
    contradicted = contradictions(base_words, other_words)
    if contradicted:
        words = readable(contradicted, (base_words, other_words))[:MAX_CONTRADICTIONS]
        checks.extend(
            Check("contradiction", _("incompatible : %(words)s") % {"words": w}) for w in words
        )
    return tuple(checks)


def requirement_factor(checks: tuple[Check, ...]) -> float:
    factor = 1.0
    for check in checks:
        factor *= (
            CONTRADICTION_FACTOR if check.status == "contradiction" else CHECK_FACTORS[check.status]
        )
    return factor


# --- Explaining a score in plain French -------------------------------------------------------
def describe(scored: Scored) -> list[str]:
    """The reasons shown on the page, e.g. ["même catégorie", "à 12 km", ...]."""
    parts = scored.parts
    reasons = []
    if parts["category"] >= CATEGORY_EXACT:
        reasons.append(_("même catégorie"))
    elif parts["category"] > 0:
        reasons.append(_("catégorie voisine"))
    km = round(scored.distance_km)
    if km < 1:
        reasons.append(_("à moins d'1 km"))
    else:
        reasons.append(ngettext("à %(km)d km", "à %(km)d km", km) % {"km": km})
    if parts["availability"] >= 0.999:
        reasons.append(_("disponible aux mêmes dates"))
    elif parts["availability"] > 0:
        reasons.append(_("dates en partie communes"))
    else:
        reasons.append(_("dates différentes"))
    if scored.quantity_compared:
        if parts["quantity"] >= 0.999:
            reasons.append(_("quantité suffisante"))
        elif parts["quantity"] >= 0.005:
            reasons.append(
                _("quantité partielle (%(percent)d %%)")
                % {"percent": round(parts["quantity"] * 100)}
            )
        else:
            reasons.append(_("quantité partielle (moins de 1 %)"))
    reasons.extend(check.text for check in scored.checks)
    if scored.feedback < 1.0:
        reasons.append(
            ngettext(
                "moins suggérée : vous avez masqué %(n)d annonce de cette catégorie",
                "moins suggérée : vous avez masqué %(n)d annonces de cette catégorie",
                scored.dismissed_alike,
            )
            % {"n": scored.dismissed_alike}
        )
    if scored.common_words:
        reasons.append(_("mots en commun : %(words)s") % {"words": ", ".join(scored.common_words)})
    return reasons
