"""The attributes that decide whether an offer can stand in for a need, per category.

Each category names the attributes its listings are asked for (`Category.attributes`, edited by
staff in the admin; migration listings 0009 gave the starting taxonomy its lists). A
listing keeps the values given in `Listing.attributes`, a JSON object:

    {"temp_min": 2, "temp_max": 8}          temperature range (°C)
    {"capacity_t": 3, "lift_height_m": 4}   lifting capacity (t), lifting height (m)
    {"caces": ["3", "5"]}                   CACES R489 categories
    {"licence": ["C"]}                      driving licences
    {"adr": true}                           dangerous goods (ADR)
    {"hazard_classes": ["3", "8"]}          hazard classes (ADR / CLP)
    {"food_grade": true, "organic": true}   food contact, organic (AB)
    {"grade": "304L"}                       alloy, grade or reference
    {"surface_m2": 350, "ceiling_height_m": 6, "crane_t": 5}   premises

On a need a value is a requirement (at least 3 t, between 2 and 8 °C, CACES 3, ADR); on an
offer it is what the offer has. Matching compares them (bourse.matching.scoring).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CACES_CATEGORIES = ["1A", "1B", "2A", "2B", "3", "4", "5", "6", "7"]
LICENCES = ["B", "BE", "C1", "C", "CE", "D"]
HAZARD_CLASSES = ["1", "2", "3", "4", "5", "6", "7", "8", "9"]


@dataclass(frozen=True)
class Attribute:
    """One attribute: `name` is what categories list; `keys` what a listing stores."""

    name: str
    label: object
    kind: str  # range, number, choices, flag, text
    keys: tuple[str, ...]
    unit: str = ""
    choices: tuple[str, ...] = ()
    help: object = ""
    minimum: Decimal | None = None
    maximum: Decimal | None = None


ATTRIBUTES: dict[str, Attribute] = {
    a.name: a
    for a in [
        Attribute(
            "temperature",
            gettext_lazy("Température (°C)"),
            "range",
            ("temp_min", "temp_max"),
            unit="°C",
            help=gettext_lazy("Plage de température garantie (ou demandée), ex. 2 à 8 °C."),
            minimum=Decimal(-60),
            maximum=Decimal(60),
        ),
        Attribute(
            "capacity_t",
            gettext_lazy("Capacité (t)"),
            "number",
            ("capacity_t",),
            unit="t",
            help=gettext_lazy("Charge maximale en tonnes (chariot, contenant, véhicule)."),
            minimum=Decimal(0),
            maximum=Decimal(1000),
        ),
        Attribute(
            "lift_height_m",
            gettext_lazy("Hauteur de levée (m)"),
            "number",
            ("lift_height_m",),
            unit="m",
            minimum=Decimal(0),
            maximum=Decimal(50),
        ),
        Attribute(
            "caces",
            gettext_lazy("CACES (catégories R489)"),
            "choices",
            ("caces",),
            choices=tuple(CACES_CATEGORIES),
        ),
        Attribute(
            "licence",
            gettext_lazy("Permis de conduire"),
            "choices",
            ("licence",),
            choices=tuple(LICENCES),
        ),
        Attribute(
            "adr",
            gettext_lazy("Matières dangereuses (ADR)"),
            "flag",
            ("adr",),
            help=gettext_lazy("Besoin : transport ou personnel ADR exigé. Offre : habilité ADR."),
        ),
        Attribute(
            "hazard_classes",
            gettext_lazy("Classes de danger"),
            "choices",
            ("hazard_classes",),
            choices=tuple(HAZARD_CLASSES),
            help=gettext_lazy(
                "Classes ADR des produits (3 : liquides inflammables, 8 : corrosifs…)."
            ),
        ),
        Attribute(
            "food_grade",
            gettext_lazy("Qualité alimentaire"),
            "flag",
            ("food_grade",),
            help=gettext_lazy("Apte au contact alimentaire ou à la consommation humaine."),
        ),
        Attribute("organic", gettext_lazy("Bio (AB)"), "flag", ("organic",)),
        Attribute(
            "grade",
            gettext_lazy("Nuance, qualité ou référence"),
            "text",
            ("grade",),
            help=gettext_lazy("Ex. : inox 304L, alu 5754, farine T65."),
        ),
        Attribute(
            "surface_m2",
            gettext_lazy("Surface (m²)"),
            "number",
            ("surface_m2",),
            unit="m²",
            minimum=Decimal(0),
            maximum=Decimal(1_000_000),
        ),
        Attribute(
            "ceiling_height_m",
            gettext_lazy("Hauteur sous plafond (m)"),
            "number",
            ("ceiling_height_m",),
            unit="m",
            minimum=Decimal(0),
            maximum=Decimal(100),
        ),
        Attribute(
            "crane_t",
            gettext_lazy("Pont roulant (t)"),
            "number",
            ("crane_t",),
            unit="t",
            minimum=Decimal(0),
            maximum=Decimal(1000),
        ),
    ]
}


def names_of(category) -> list[str]:
    """The attribute names a category asks for (unknown names, left by an edit, skipped)."""
    return [name for name in (category.attributes or []) if name in ATTRIBUTES]


def keys_of(names) -> set[str]:
    return {key for name in names for key in ATTRIBUTES[name].keys}


def _number(value, attribute: Attribute) -> float:
    try:
        number = Decimal(str(value).replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            _("%(label)s : un nombre est attendu.") % {"label": attribute.label}
        ) from None
    if not number.is_finite() or isinstance(value, bool):
        raise ValidationError(_("%(label)s : un nombre est attendu.") % {"label": attribute.label})
    if (attribute.minimum is not None and number < attribute.minimum) or (
        attribute.maximum is not None and number > attribute.maximum
    ):
        raise ValidationError(
            _("%(label)s : entre %(min)s et %(max)s.")
            % {"label": attribute.label, "min": attribute.minimum, "max": attribute.maximum}
        )
    return float(number)


def clean_attributes(values: dict | None, names: list[str]) -> dict:
    """The attributes of a listing, checked against its category's names: a dict of the keys
    given (None and empty values dropped), or ValidationError naming what is wrong. Keys the
    category does not ask for are refused."""
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise ValidationError(_("Un objet est attendu."))
    allowed = keys_of(names)
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise ValidationError(
            _("Caractéristiques inconnues pour cette catégorie : %(keys)s.")
            % {"keys": ", ".join(unknown)}
        )
    cleaned: dict = {}
    for name in names:
        attribute = ATTRIBUTES[name]
        for key in attribute.keys:
            value = values.get(key)
            if value is None or value == "" or value == []:
                continue
            if attribute.kind in ("range", "number"):
                cleaned[key] = _number(value, attribute)
            elif attribute.kind == "flag":
                if not isinstance(value, bool):
                    raise ValidationError(
                        _("%(label)s : vrai ou faux est attendu.") % {"label": attribute.label}
                    )
                cleaned[key] = value
            elif attribute.kind == "choices":
                if not isinstance(value, list) or any(
                    str(v).upper() not in attribute.choices for v in value
                ):
                    raise ValidationError(
                        _("%(label)s : une liste parmi %(choices)s est attendue.")
                        % {"label": attribute.label, "choices": ", ".join(attribute.choices)}
                    )
                cleaned[key] = sorted({str(v).upper() for v in value}, key=attribute.choices.index)
            else:
                text = " ".join(str(value).split())
                if len(text) > 40:
                    raise ValidationError(
                        _("%(label)s : 40 caractères au plus.") % {"label": attribute.label}
                    )
                cleaned[key] = text
    if attribute_range_reversed(cleaned):
        raise ValidationError(_("Température : le minimum dépasse le maximum."))
    return cleaned


def attribute_range_reversed(values: dict) -> bool:
    low, high = values.get("temp_min"), values.get("temp_max")
    return low is not None and high is not None and low > high


def _format_number(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def describe_attributes(values: dict | None, names: list[str] | None = None) -> list[tuple]:
    """(label, value as text) of the attributes given, in the registry's order, for pages."""
    values = values or {}
    shown = []
    for name, attribute in ATTRIBUTES.items():
        if names is not None and name not in names:
            continue
        if attribute.kind == "range":
            low, high = values.get("temp_min"), values.get("temp_max")
            if low is None and high is None:
                continue
            if low is not None and high is not None:
                text = _("%(low)s à %(high)s °C") % {
                    "low": _format_number(low),
                    "high": _format_number(high),
                }
            elif low is not None:
                text = _("à partir de %(low)s °C") % {"low": _format_number(low)}
            else:
                text = _("jusqu'à %(high)s °C") % {"high": _format_number(high)}
        else:
            value = values.get(attribute.keys[0])
            if value is None:
                continue
            if attribute.kind == "number":
                text = f"{_format_number(value)} {attribute.unit}".strip()
            elif attribute.kind == "flag":
                text = _("oui") if value else _("non")
            elif attribute.kind == "choices":
                text = ", ".join(value)
            else:
                text = str(value)
        shown.append((attribute.label, text))
    return shown
