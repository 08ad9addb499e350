"""Units of a listing's quantity: which ones a category allows, and how a quantity reads.

The values on the wire are the fixed vocabulary of `Unit` (docs/api.md). Which of them make
sense is data: `Category.units`, edited by staff in the admin (boxes to tick), the first one
suggested by the form. A parent category allows the units of its children. Counts ("8 500
cartons", "12 fûts") are `unit`; time ("58 heures" of a machine, "3 jours" of a van) is `hour`
or `day`. Migration listings 0013 added counts and hours where people use them.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


class Unit(models.TextChoices):
    UNIT = "unit", _("unité(s)")
    KG = "kg", _("kg")
    T = "t", _("tonne(s)")
    L = "l", _("litre(s)")
    M2 = "m2", _("m²")
    M3 = "m3", _("m³")
    PALLET = "pallet", _("palette(s)")
    HOUR = "hour", _("heure(s)")
    DAY = "day", _("jour(s)")
    PERSON = "person", _("personne(s)")


def allowed_units(category) -> list[str]:
    """The units that make sense for a category; a parent allows those of its children."""
    if category.units:
        return [u for u in category.units if u in Unit.values]
    units: list[str] = []
    for child in category.children.all():
        units += [u for u in child.units if u not in units and u in Unit.values]
    return units


def _unit_words(unit: str, count: int) -> str:
    """The unit's name agreeing with `count` in the active language (`plural_count`)."""
    # One literal call per unit, so that makemessages finds every form.
    words = {
        Unit.UNIT: lambda n: ngettext("unité", "unités", n),
        Unit.KG: lambda n: ngettext("kg", "kg", n),
        Unit.T: lambda n: ngettext("tonne", "tonnes", n),
        Unit.L: lambda n: ngettext("litre", "litres", n),
        Unit.M2: lambda n: ngettext("m²", "m²", n),
        Unit.M3: lambda n: ngettext("m³", "m³", n),
        Unit.PALLET: lambda n: ngettext("palette", "palettes", n),
        Unit.HOUR: lambda n: ngettext("heure", "heures", n),
        Unit.DAY: lambda n: ngettext("jour", "jours", n),
        Unit.PERSON: lambda n: ngettext("personne", "personnes", n),
    }
    return words[unit](count) if unit in words else unit


def plural_count(quantity: Decimal) -> int:
    """The whole number to give ngettext so that the unit agrees with `quantity` in the active
    language.

    A whole quantity is itself. Decimals agree differently from one language to the next, and
    gettext's plural formulas only take whole numbers. French keeps the singular below 2
    ("1,5 tonne", "0,5 heure"); it is the language of the source strings, which have no
    catalogue and so follow gettext's default rule (singular for 1 only): a French decimal
    below 2 is given as 1. English puts every decimal in the plural ("1.5 tonnes", "0.5
    hours"); a translated language treats a decimal as its catalogue's formula treats 0 (English
    `n != 1`: plural; a language whose rule is `n > 1` keeps the singular, as French does), so
    it is given 0. From 2 up, the whole part is plural everywhere."""
    if quantity == quantity.to_integral_value():
        return int(quantity)
    if quantity >= 2:
        return int(quantity)
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return 1 if language == settings.LANGUAGE_CODE else 0


def quantity_text(quantity: Decimal | None, unit: str) -> str:
    """ "8 500 unités", "58 heures", "1 tonne", "1,5 tonne" / "1.5 tonnes" in the active
    language: the number grouped by thousands, without useless decimals, the unit agreeing
    with it (`plural_count`)."""
    if quantity is None:
        return ""
    quantity = Decimal(quantity)
    # 8500.00 → 8500 and 2.50 → 2.5 (normalize alone would write 8500 as 8.5E+3).
    integral = quantity == quantity.to_integral_value()
    shown = quantity.quantize(Decimal(1)) if integral else quantity.normalize()
    number = number_format(shown, use_l10n=True, force_grouping=True)
    return f"{number}\u00a0{_unit_words(unit, plural_count(quantity))}" if unit else number
