"""How well two listings match: pure functions, no database.

A suggestion for a listing is a published listing of the opposite kind, from another company,
in the same category or the same parent category, whose distance is within the larger of the two
radii (`is_candidate`). Its score in [0, 1] is a weighted sum of five parts, each in [0, 1],
times the requirements factor and the feedback factor (feedback_factor: what the company
dismissed):

- category:      1.0 for the exact category, 0.5 for the same parent category ("family"),
- distance:      1 - d / R, R being the larger of the two radii (1 at the same place, 0 at R),
- availability:  the share of the need's window that the offer's window covers, from today
                 on (the days of a need already past do not count); an open-ended need counts
                 its first HORIZON_DAYS days, a need without any window starts today; a
                 missing bound of the offer is open (no window: always available),
- quantity:      how much of the need the offer covers (offer / need, capped at 1), when both
                 give a quantity in the same unit; otherwise neutral (0.5),
- text:          cosine similarity of the two sets of words of title + description, after
                 French-aware normalisation (lower case, no accents, no stop words, light
                 stemming), with the concepts of the trade's vocabulary (`Lexicon`) and
                 without negated words ("sans pont roulant"); the common words are reported,
- requirements:  the factor of the checks of what the need requires against what the offer
                 has (bourse.matching.requirements: "capacité suffisante", "CACES 3 requis :
                 non") and of contradictions (one says what the other negates).

The weights live in `WEIGHTS`, and nowhere else.
"""

import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bourse.listings import vocabulary

from . import requirements
from .requirements import Check

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
# At most this many common words are reported.
MAX_COMMON_WORDS = 5

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


# --- Text -------------------------------------------------------------------------------------
# Folded (no accents), so "très" and "tres" are the same word.
_STOP_WORDS_TEXT = """
a ai aie aient aies ait alors as au aucun aucune aupres aussi autre autres aux avaient avais
avait avant avec avez aviez avions avoir avons ayant c ca car ce ceci cela celle celles celui
ces cet cette ceux chaque chez ci comme comment d dans de des deux doit donc dont du elle elles
en encore entre es est et etaient etais etait etant ete etes etre eu eux faire fait font ici
il ils j je jusqu jusque l la le les leur leurs lui m ma mais me meme memes mes moi moins mon
n ne ni nos notre nous on ont ou par parce pas peu peut peuvent plus pour pourra pres puis qu
quand que quel quelle quelles quels qui quoi s sa sans se selon ses si sinon soit son sont sous
sur t ta te tes toi ton tous tout toute toutes tres tu un une unes uns vers via voici voila vos
votre vous y
besoin besoins cherche cherchons recherche recherchons offre offres propose proposons
disponible disponibles dispo urgent urgence possible environ merci contact contacter
uniquement seulement
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
_SUFFIXES_TEXT = """
issements issement ements ement ations ation atrices atrice ateurs ateur euses euse
ances ance ences ence ments ment ites ite iques ique ables able ibles ible ives ive
eurs eur ages age ees ee es er ifs if e s x
"""
# Longest first: the first suffix that leaves a root of at least MIN_ROOT letters is removed.
SUFFIXES = tuple(sorted(_SUFFIXES_TEXT.split(), key=len, reverse=True))
MIN_ROOT = 4
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)


_COMBINING_RE = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Lower case, accents removed, ligatures spelled out ("Œuvre" → "oeuvre")."""
    text = text.lower()
    if text.isascii():
        return text
    text = text.replace("œ", "oe").replace("æ", "ae")
    return _COMBINING_RE.sub("", unicodedata.normalize("NFKD", text))


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """Light French stemming of a folded word: plural, then one common suffix."""
    if len(word) <= MIN_ROOT:
        # Short plurals too ("bags", "kits"), but not "bois", "plus" or "pass".
        if len(word) == MIN_ROOT and word[-1] == "s" and word[-2] not in "siu":
            return word[:-1]
        return word
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_ROOT:
            return word[: -len(suffix)]
    return word


def _keep(word: str) -> bool:
    return len(word) >= 2 and not word.isdigit() and word not in STOP_WORDS


def word_stems(text: str) -> frozenset[str]:
    """The set of stems of a text, without the vocabulary or negation (saved searches)."""
    return frozenset(stem(w) for w in _WORD_RE.findall(fold(text)) if _keep(w))


# --- Vocabulary and negation --------------------------------------------------------------------
# A negator makes the next NEGATION_REACH words (a phrase of the vocabulary counts as one) say
# what the listing is not or has not, up to the end of the clause or a number: "sans pont
# roulant", "non classées ADR", "pas de matières dangereuses", "non dangereux uniquement".
NEGATORS = frozenset({"sans", "non", "pas", "aucun", "aucune", "ni"})
NEGATION_REACH = 3
_CLAUSE_RE = re.compile(r"[,;:.!?()\[\]\n]+")
CONCEPT_PREFIX = "="  # never in a stem: a concept of the vocabulary ("=poids lourd")


class Lexicon:
    """The trade's vocabulary (bourse.listings.vocabulary) as matching reads it: each spelling,
    tokenised and stemmed like listings' texts, names the concepts of its groups."""

    __slots__ = ("phrases", "longest", "starts")

    def __init__(self, groups):
        self.phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.longest = 1
        for group in groups:
            concept = CONCEPT_PREFIX + " ".join(fold(group.term).split())
            for spelling in group.spellings:
                key = tuple(stem(w) for w in _WORD_RE.findall(fold(spelling)) if _keep(w))
                if not key:
                    continue
                if concept not in self.phrases.get(key, ()):
                    self.phrases[key] = (*self.phrases.get(key, ()), concept)
                self.longest = max(self.longest, len(key))
        # The stems a phrase starts with: most words start none, and are looked up once.
        self.starts = frozenset(key[0] for key in self.phrases)

    @staticmethod
    def default() -> "Lexicon":
        """The seeded vocabulary (no database needed)."""
        return _seed_lexicon()

    @staticmethod
    def current() -> "Lexicon":
        """The staff-edited vocabulary (read from the database, cached per process)."""
        groups = vocabulary.groups()
        cached = _current_lexicon.get("lexicon")
        if cached is None or _current_lexicon.get("groups") is not groups:
            cached = Lexicon(groups)
            _current_lexicon.update(groups=groups, lexicon=cached)
        return cached


_current_lexicon: dict = {}


@lru_cache(maxsize=1)
def _seed_lexicon() -> Lexicon:
    return Lexicon(vocabulary.seed_groups())


@dataclass(frozen=True, slots=True)
class Analysis:
    """What a text says (stems and concepts of the vocabulary), what it says it is not or has
    not (`negated`), and each stem or concept as first written (for the reasons)."""

    stems: frozenset[str]
    negated: frozenset[str]
    words: dict[str, str]


_NEGATOR = object()
_NUMBER = object()


def analyse(text: str, lexicon: Lexicon | None = None) -> Analysis:
    lexicon = lexicon or Lexicon.default()
    return _analyse(text, lexicon)


@lru_cache(maxsize=20_000)
def _analyse(text: str, lexicon: Lexicon) -> Analysis:
    said: set[str] = set()
    negated: set[str] = set()
    words: dict[str, str] = {}
    phrases, longest, starts = lexicon.phrases, lexicon.longest, lexicon.starts
    for clause in _CLAUSE_RE.split(text.lower()):
        entries: list = []
        written = _WORD_RE.findall(clause)
        folded_words = _WORD_RE.findall(fold(clause))
        if len(folded_words) != len(written):  # folding changed a word's boundaries
            folded_words = [fold(word) for word in written]
        for word, folded in zip(written, folded_words, strict=True):
            if folded in NEGATORS:
                entries.append(_NEGATOR)
            elif folded.isdigit():
                entries.append(_NUMBER)
            elif _keep(folded):
                entries.append((stem(folded), word))
        reach = 0
        i = 0
        while i < len(entries):
            entry = entries[i]
            if entry is _NEGATOR or entry is _NUMBER:
                # A number ends a negation: "non isolé 40 palettes".
                reach = NEGATION_REACH if entry is _NEGATOR else 0
                i += 1
                continue
            span, concepts = 1, ()
            if entry[0] in starts:
                run = 0
                while (
                    run < longest and i + run < len(entries) and isinstance(entries[i + run], tuple)
                ):
                    run += 1
                for n in range(run, 0, -1):
                    found = phrases.get(tuple(e[0] for e in entries[i : i + n]))
                    if found:
                        span, concepts = n, found
                        break
            target = negated if reach else said
            for stem_, word in entries[i : i + span]:
                target.add(stem_)
                words.setdefault(stem_, word)
            if concepts:
                phrase = " ".join(word for _stem, word in entries[i : i + span])
                for concept in concepts:
                    target.add(concept)
                    words.setdefault(concept, phrase)
            if reach:
                reach -= 1
            i += span
    return Analysis(frozenset(said), frozenset(negated), words)


def text_part(stems_a: frozenset[str] | set[str], stems_b: frozenset[str] | set[str]) -> float:
    """Cosine similarity of two sets of stems and concepts."""
    if not stems_a or not stems_b:
        return 0.0
    return len(stems_a & stems_b) / math.sqrt(len(stems_a) * len(stems_b))


def contradictions(a: Analysis, b: Analysis) -> frozenset[str]:
    """What one text says and the other says it is not or has not ("pont roulant" against
    "sans pont roulant"); a word a text both says and negates is left out."""
    return (a.stems & (b.negated - b.stems)) | (b.stems & (a.negated - a.stems))


def _readable(keys, analyses: tuple[Analysis, ...]) -> tuple[str, ...]:
    """The words of `keys` as first written, concepts first, without a word already inside a
    reported phrase."""
    shown: list[str] = []
    ordered = sorted(keys, key=lambda k: (not k.startswith(CONCEPT_PREFIX), k))
    for key in ordered:
        word = next((a.words[key] for a in analyses if key in a.words), None)
        if word is None or any(word in s.split() or word == s for s in shown):
            continue
        shown.append(word)
    return tuple(shown)


def common_words(base: Analysis, other: Analysis) -> tuple[str, ...]:
    """Common words and concepts, spelled as in the base listing, in the order they appear."""
    shared = base.stems & other.stems
    ordered = [k for k in base.words if k in shared]
    shown: list[str] = []
    for key in sorted(ordered, key=lambda k: not k.startswith(CONCEPT_PREFIX)):
        word = base.words[key]
        if any(word in s.split() for s in shown) or word in shown:
            continue
        shown.append(word)
    order = {w: base_index for base_index, w in enumerate(base.words.values())}
    shown.sort(key=lambda w: order.get(w, 0))
    return tuple(shown)[:MAX_COMMON_WORDS]


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
            requirements.read(fold(need.text), wanted, need_words.stems, need_words.negated),
        )
        offer_values = requirements.values_of(
            offer.attributes,
            requirements.read(fold(offer.text), wanted, offer_words.stems, offer_words.negated),
        )
        surface_as_quantity = offer.unit == "m2" and offer.quantity is not None
        if "surface_m2" in wanted and "surface_m2" not in offer_values and surface_as_quantity:
            offer_values["surface_m2"] = [float(offer.quantity)]
        checks.extend(requirements.compare(names, need_values, offer_values))
    contradicted = contradictions(base_words, other_words)
    if contradicted:
        words = _readable(contradicted, (base_words, other_words))[:MAX_CONTRADICTIONS]
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
