"""What decides whether an offer can stand in for a need: its attributes, compared.

The attributes a category asks for (bourse.listings.attributes) are read from the listing's own
values (`Listing.attributes`, from the form or the API) and, for those not given, from its title
and description as hurried owners write them ("Fenwick 3,5 T", "2 à 8 °C", "CACES R489 3 et 5",
"non classées ADR", "farine bio T65", "PR 10 t", "HSP 8 m"). The need's values are requirements,
the offer's what it has; each requirement gives a `Check`:

- met: "capacité suffisante", "température compatible", "CACES 3 : oui";
- partial (close, or part of it): "capacité presque suffisante (2,5 t pour 3 t)";
- unknown (the offer does not say): "CACES 3 : non précisé";
- unmet: "CACES 3 requis : non", "température incompatible (-25 à -18 °C)".

Pure functions, no database: the caller passes the texts, the values and the names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext as _

from bourse.listings.attributes import ATTRIBUTES


@dataclass(frozen=True, slots=True)
class Check:
    """One thing that decides a substitute, compared. `status` is met, partial, unknown or
    unmet (or contradiction: a word one listing says and the other negates)."""

    status: str
    text: str


# --- Reading attributes from a text ------------------------------------------------------------
_NUM = r"(\d+(?:[.,]\d+)?)"
_SIGNED = r"([-+−]?\s?\d+(?:[.,]\d+)?)"
_TEMP_RANGE = re.compile(_SIGNED + r"\s*(?:°\s*c?)?\s*(?:a|-|–|/|et)\s*" + _SIGNED + r"\s*°\s*c")
_TEMP_SIGNED_PAIR = re.compile(r"([-+−]\s?\d+|0)\s*/\s*([-+−]\s?\d+)")
_TEMP_ONE = re.compile(_SIGNED + r"\s*°\s*c")
_TONNES = re.compile(_NUM + r"\s*(?:t|tonnes?)\b")
_KG = re.compile(r"(\d+(?:[ .]\d{3})*)\s*kg\b")
_LIFT = re.compile(r"(?:levee|leve|mat\w*)\D{0,20}?" + _NUM + r"\s*m\b")
_CEILING = re.compile(r"(?:hauteur|hsp|sous plafond|sous crochet)\D{0,20}?" + _NUM + r"\s*m\b")
_SURFACE = re.compile(r"(\d+(?:[ .]\d{3})*)\s*m2\b")
_CRANE = re.compile(r"(?:\bponts?\b(?:\s+roulants?)?|\bpr\b)([^.;\n]{0,30})")
_CACES = re.compile(
    r"caces\s*(?:r\s*-?\s*489\s*)?(?:cat(?:egorie)?s?\.?\s*)?"
    r"([1-7][ab]?(?:\s*(?:,|et|/|-)\s*[1-7][ab]?)*)"
)
_CAT = re.compile(r"\bcat(?:egorie)?\.?\s*([1-7][ab]?)\b")
_LICENCE = re.compile(r"permis\s+(c1e|c1|ce|be|b|c|d)\b")
_HAZARD = re.compile(r"classes?\s*(?:adr\s*)?(\d)(?:\.\d)?((?:\s*(?:,|et|/)\s*\d(?:\.\d)?)*)")
_GRADE = re.compile(r"(?:inox|alu(?:minium)?|acier|nuance)\s*(\d{3,4}l?)\b|\b(t\d{2,3})\b")
_NOT_FOOD = re.compile(
    r"aliment\w* (?:animale?|du betail|pour animaux)|pour animaux|betail|"
    r"non destine\w* a la consommation humaine|impropre a la consommation"
)
_FOOD = re.compile(r"\balimentaire\b|consommation humaine|contact alimentaire")
_HAZARD_WORDS = {
    "3": re.compile(r"(?<!non )(?<!sans )\binflammable"),
    "8": re.compile(r"(?<!non )(?<!sans )\bcorrosi[fv]"),
    "6": re.compile(r"(?<!non )(?<!sans )\btoxique"),
    "5": re.compile(r"(?<!non )(?<!sans )\bcomburant"),
}
_ORGANIC_LABELS = re.compile(r"\b(?:gots|ecocert)\b")


def _float(text: str) -> float:
    return float(text.replace(" ", "").replace("−", "-").replace(",", "."))


def _kg(text: str) -> float:
    return float(re.sub(r"[ .]", "", text)) / 1000


@lru_cache(maxsize=20_000)
def read(folded: str, names: frozenset[str], said: frozenset[str], negated: frozenset[str]):
    """The attributes of `names` a folded text states (a dict of listing attribute keys).
    `said` and `negated` are the text's stems and concepts (bourse.matching.scoring.analyse)."""
    found: dict = {}
    if "temperature" in names:
        values = []
        for low, high in _TEMP_RANGE.findall(folded) + _TEMP_SIGNED_PAIR.findall(folded):
            values += [_float(low), _float(high)]
        if not values:
            values = [_float(v) for v in _TEMP_ONE.findall(folded)]
        if not values:
            if "=surgele" in said:
                values += [-25.0, -18.0]
            if "=froid positif" in said:
                values += [0.0, 8.0]
        if values:
            found["temp_min"], found["temp_max"] = min(values), max(values)
    if "capacity_t" in names:
        values = [_float(v) for v in _TONNES.findall(folded)] + [
            _kg(v) for v in _KG.findall(folded)
        ]
        if values:
            found["capacity_t"] = max(values)
    if "lift_height_m" in names:
        values = [_float(v) for v in _LIFT.findall(folded)]
        if values:
            found["lift_height_m"] = max(values)
    if "ceiling_height_m" in names:
        values = [_float(v) for v in _CEILING.findall(folded)]
        if values:
            found["ceiling_height_m"] = max(values)
    if "surface_m2" in names:
        values = [float(re.sub(r"[ .]", "", v)) for v in _SURFACE.findall(folded)]
        if values:
            found["surface_m2"] = values
    if "crane_t" in names:
        if "=pont roulant" in negated and "=pont roulant" not in said:
            found["crane_t"] = 0.0
        else:
            values = [_float(v) for tail in _CRANE.findall(folded) for v in _TONNES.findall(tail)]
            if values:
                found["crane_t"] = max(values)
    if "caces" in names:
        categories = set()
        for group in _CACES.findall(folded):
            categories |= set(re.findall(r"[1-7][ab]?", group))
        if categories or "cariste" in folded:
            categories |= set(_CAT.findall(folded))
        if categories:
            found["caces"] = sorted(c.upper() for c in categories)
    if "licence" in names:
        licences = {v.upper() for v in _LICENCE.findall(folded)}
        if "=super poids lourd" in said:
            licences.add("CE")
        elif "=poids lourd" in said:
            licences.add("C")
        if "=vehicule leger" in said:
            licences.add("B")
        if licences:
            found["licence"] = sorted(licences)
    dangerous_said = "=adr" in said or any(s.startswith("danger") for s in said)
    dangerous_negated = "=adr" in negated or any(s.startswith("danger") for s in negated)
    if "adr" in names:
        if dangerous_said:
            found["adr"] = True
        elif dangerous_negated:
            found["adr"] = False
    if "hazard_classes" in names:
        classes = set()
        for first, rest in _HAZARD.findall(folded):
            classes.add(first)
            classes |= set(re.findall(r"\d", re.sub(r"\.\d", "", rest)))
        for hazard, pattern in _HAZARD_WORDS.items():
            if pattern.search(folded):
                classes.add(hazard)
        if classes:
            found["hazard_classes"] = sorted(classes)
        elif dangerous_negated and not dangerous_said:
            found["hazard_classes"] = []
    if "food_grade" in names:
        if _NOT_FOOD.search(folded) or any(s.startswith("alimentair") for s in negated):
            found["food_grade"] = False
        elif _FOOD.search(folded):
            found["food_grade"] = True
    if "organic" in names:
        if "=bio" in negated or any(s.startswith("conventionnel") for s in said):
            found["organic"] = False
        elif "=bio" in said or _ORGANIC_LABELS.search(folded):
            found["organic"] = True
    if "grade" in names:
        grades = {a or b for a, b in _GRADE.findall(folded)}
        if grades:
            found["grade"] = sorted(grades)
    return found


def values_of(explicit: dict | None, read_values: dict) -> dict:
    """What a listing says: the values given in its form win over those read in its text."""
    values = dict(read_values)
    for key, value in (explicit or {}).items():
        if key == "grade" and isinstance(value, str):
            values[key] = [" ".join(value.lower().split()).replace(" ", "")]
        elif key == "surface_m2" and value is not None:
            values[key] = [float(value)]
        elif value is not None:
            values[key] = value
    return values


# --- Comparing a need's requirements with an offer ----------------------------------------------
TOLERANCE_C = 2.0
NUMBER_LABELS = {
    "capacity_t": (
        lambda: _("capacité suffisante"),
        lambda: _("capacité presque suffisante (%(offer)s pour %(need)s)"),
        lambda: _("capacité insuffisante (%(offer)s pour %(need)s)"),
        lambda: _("capacité non précisée"),
    ),
    "lift_height_m": (
        lambda: _("hauteur de levée suffisante"),
        lambda: _("hauteur de levée presque suffisante (%(offer)s pour %(need)s)"),
        lambda: _("hauteur de levée insuffisante (%(offer)s pour %(need)s)"),
        lambda: _("hauteur de levée non précisée"),
    ),
    "ceiling_height_m": (
        lambda: _("hauteur sous plafond suffisante"),
        lambda: _("hauteur sous plafond presque suffisante (%(offer)s pour %(need)s)"),
        lambda: _("hauteur sous plafond insuffisante (%(offer)s pour %(need)s)"),
        lambda: _("hauteur sous plafond non précisée"),
    ),
    "crane_t": (
        lambda: _("pont roulant suffisant"),
        lambda: _("pont roulant presque suffisant (%(offer)s pour %(need)s)"),
        lambda: _("pont roulant insuffisant (%(offer)s pour %(need)s)"),
        lambda: _("pont roulant non précisé"),
    ),
    "surface_m2": (
        lambda: _("surface suffisante"),
        lambda: _("surface presque suffisante (%(offer)s pour %(need)s)"),
        lambda: _("surface insuffisante (%(offer)s pour %(need)s)"),
        None,  # the quantity in m² says it already when the offer states no surface
    ),
}
LICENCE_COVERS = {
    "CE": {"CE", "C", "C1", "C1E", "BE", "B"},
    "C1E": {"C1E", "C1", "BE", "B"},
    "C": {"C", "C1", "B"},
    "C1": {"C1", "B"},
    "D": {"D", "B"},
    "BE": {"BE", "B"},
    "B": {"B"},
}


def _fmt(value: float, unit: str) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{text} {unit}".strip()


def _caces_covers(offer: set[str], wanted: str) -> bool:
    if wanted in offer:
        return True
    digit = wanted[0]
    return any(c[0] == digit and (len(c) == 1 or len(wanted) == 1) for c in offer)


def compare(names: tuple[str, ...], need: dict, offer: dict) -> tuple[Check, ...]:
    """The checks of the requirements `need` states among `names` against what `offer` has."""
    checks = []
    for name in names:
        attribute = ATTRIBUTES.get(name)
        if attribute is None:
            continue
        if name == "temperature":
            check = _temperature(need, offer)
        elif name in NUMBER_LABELS:
            check = _number(name, attribute.unit, need, offer)
        elif name == "caces":
            check = _sets(
                need.get("caces"),
                offer.get("caces"),
                lambda o, w: _caces_covers(o, w),
                _("CACES %(value)s"),
            )
        elif name == "licence":
            check = _sets(
                need.get("licence"),
                offer.get("licence"),
                lambda o, w: any(w in LICENCE_COVERS.get(held, {held}) for held in o),
                _("permis %(value)s"),
            )
        elif name == "hazard_classes":
            check = _hazard(need, offer)
        elif attribute.kind == "flag":
            check = _flag(name, need.get(name), offer.get(name))
        elif name == "grade":
            check = _grade(need.get("grade"), offer.get("grade"))
        else:
            check = None
        if check is not None:
            checks.append(check)
    return tuple(checks)


def _temperature(need: dict, offer: dict) -> Check | None:
    low, high = need.get("temp_min"), need.get("temp_max")
    if low is None and high is None:
        return None
    low = high if low is None else low
    high = low if high is None else high
    o_low, o_high = offer.get("temp_min"), offer.get("temp_max")
    if o_low is None and o_high is None:
        return Check("unknown", _("température non précisée"))
    o_low = o_high if o_low is None else o_low
    o_high = o_low if o_high is None else o_high
    inside = low - TOLERANCE_C <= o_low and o_high <= high + TOLERANCE_C
    around = o_low - TOLERANCE_C <= low and high <= o_high + TOLERANCE_C
    if inside or around:
        return Check("met", _("température compatible"))
    shown = {"low": _fmt(o_low, ""), "high": _fmt(o_high, "")}
    if o_low <= high + TOLERANCE_C and low - TOLERANCE_C <= o_high:
        return Check(
            "partial", _("température en partie compatible (%(low)s à %(high)s °C)") % shown
        )
    return Check("unmet", _("température incompatible (%(low)s à %(high)s °C)") % shown)


def _number(name: str, unit: str, need: dict, offer: dict) -> Check | None:
    wanted = need.get(name)
    if isinstance(wanted, list):
        wanted = min(wanted) if wanted else None
    if wanted is None or wanted <= 0:
        return None
    met, partial, unmet, unknown = NUMBER_LABELS[name]
    has = offer.get(name)
    if isinstance(has, list):
        has = max(has) if has else None
    if has is None:
        return Check("unknown", unknown()) if unknown else None
    shown = {"offer": _fmt(has, unit), "need": _fmt(wanted, unit)}
    if has >= wanted * 0.98:
        return Check("met", met())
    if has >= wanted * 0.8:
        return Check("partial", partial() % shown)
    return Check("unmet", unmet() % shown)


def _sets(wanted, has, covers, label: str) -> Check | None:
    if not wanted:
        return None
    shown = label % {"value": ", ".join(wanted)}
    if not has:
        return Check("unknown", _("%(what)s : non précisé") % {"what": shown})
    held = set(has)
    if all(covers(held, w) for w in wanted):
        return Check("met", _("%(what)s : oui") % {"what": shown})
    if any(covers(held, w) for w in wanted):
        return Check("partial", _("%(what)s : en partie") % {"what": shown})
    return Check("unmet", _("%(what)s requis : non") % {"what": shown})


FLAG_TEXTS = {
    "adr": (lambda: _("ADR : oui"), lambda: _("ADR requis : non"), lambda: _("ADR : non précisé")),
    "food_grade": (
        lambda: _("qualité alimentaire : oui"),
        lambda: _("qualité alimentaire requise : non"),
        lambda: _("qualité alimentaire : non précisée"),
    ),
    "organic": (
        lambda: _("bio : oui"),
        lambda: _("bio requis : non"),
        lambda: _("bio : non précisé"),
    ),
}


def _flag(name: str, wanted, has) -> Check | None:
    if wanted is not True:
        return None
    yes, no, unknown = FLAG_TEXTS[name]
    if has is True:
        return Check("met", yes())
    if has is False:
        return Check("unmet", no())
    return Check("unknown", unknown())


def _hazard(need: dict, offer: dict) -> Check | None:
    wanted = need.get("hazard_classes")
    if not wanted:
        return None
    shown = {"classes": ", ".join(wanted)}
    has = offer.get("hazard_classes")
    if has is None:
        if offer.get("adr") is True:
            return Check("met", _("classes %(classes)s : ADR") % shown)
        if offer.get("adr") is False:
            return Check("unmet", _("classes %(classes)s acceptées : non") % shown)
        return Check("unknown", _("classes %(classes)s : non précisé") % shown)
    if set(wanted) <= set(has):
        return Check("met", _("classes %(classes)s acceptées") % shown)
    if set(wanted) & set(has):
        return Check("partial", _("classes %(classes)s : en partie") % shown)
    return Check("unmet", _("classes %(classes)s acceptées : non") % shown)


def _grade(wanted, has) -> Check | None:
    if not wanted:
        return None
    shown = {"grade": ", ".join(w.upper() for w in wanted)}
    if not has:
        return Check("unknown", _("qualité %(grade)s : non précisée") % shown)
    if set(wanted) & set(has):
        return Check("met", _("qualité %(grade)s : oui") % shown)
    roots = {re.sub(r"[a-z]+$", "", g) for g in has}
    if any(re.sub(r"[a-z]+$", "", w) in roots for w in wanted):
        return Check("partial", _("qualité %(grade)s : proche") % shown)
    return Check("unmet", _("qualité %(grade)s requise : non") % shown)
