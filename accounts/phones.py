"""French telephone numbers: checked, stored one way (E.164), shown the French way.

People type "06 12 34 56 78", "06.12.34.56.78", "+33 6 12 34 56 78", "+33 (0)6 12 34 56 78" or
"0033612345678"; all are stored "+33612345678", so a number is compared, searched and dialled
(`tel:` links) one way, and shown "06 12 34 56 78". The overseas départements have their own
country codes in E.164 (Réunion and Mayotte +262, Guadeloupe and the French Antilles +590,
Guyane +594, Martinique +596) although French people dial them as ten digits starting with 0:
"0262 12 34 56" is stored "+262262123456". The collectivities with their own plan (Saint-Pierre-
et-Miquelon +508, Wallis-et-Futuna +681, Nouvelle-Calédonie +687, Polynésie +689) are accepted
in international form. Numbers of other countries are refused: the exchange is for companies
registered in France, and the CCI calls them.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# National prefixes (after the 0) of the overseas départements → their E.164 country code.
_OVERSEAS_PREFIXES = {
    "262": "262",  # Réunion, fixed
    "263": "262",  # Réunion, fixed
    "269": "262",  # Mayotte, fixed
    "639": "262",  # Mayotte, mobile
    "692": "262",  # Réunion, mobile
    "693": "262",  # Réunion, mobile
    "590": "590",  # Guadeloupe, Saint-Martin, Saint-Barthélemy, fixed
    "690": "590",  # their mobiles
    "691": "590",
    "594": "594",  # Guyane, fixed
    "694": "594",  # Guyane, mobile
    "596": "596",  # Martinique, fixed
    "696": "596",  # Martinique, mobile
    "697": "596",
}
# Country code → digits of the national significant number.
_OVERSEAS_CODES = {"262": 9, "590": 9, "594": 9, "596": 9}
_COLLECTIVITY_CODES = {"508": 6, "681": 6, "687": 6, "689": 8}

_SEPARATORS = re.compile(r"[\s.\-/()]")
INVALID_MESSAGE = _(
    "Saisissez un numéro de téléphone français, par exemple 06 12 34 56 78 ou +33 6 12 34 56 78."
)


def normalize_phone(value: str) -> str:
    """The number in E.164 ("+33612345678"), or "" for an empty value. Raises ValidationError
    (code "phone") for anything that is not a French number."""
    value = (value or "").strip()
    if not value:
        return ""
    compact = value.replace("\u00a0", "").replace(" ", "")
    # "+33 (0)6 12..." is common on business cards: the 0 is not dialled from abroad.
    compact = _SEPARATORS.sub("", re.sub(r"^(\+|00)33\(?0\)?", "+33", compact))
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    number = _international(compact[1:]) if compact.startswith("+") else _national(compact)
    if number is None:
        raise ValidationError(INVALID_MESSAGE, code="phone")
    return number


def _national(digits: str) -> str | None:
    if not re.fullmatch(r"0[1-9]\d{8}", digits):
        return None
    code = _OVERSEAS_PREFIXES.get(digits[1:4])
    return f"+{code}{digits[1:]}" if code else f"+33{digits[1:]}"


def _international(digits: str) -> str | None:
    if not digits.isdigit():
        return None
    if digits.startswith("33"):
        rest = digits[2:]
        if not re.fullmatch(r"[1-9]\d{8}", rest):
            return None
        # "+33 262 ..." is a Réunion number written with the mainland's code: store it right.
        code = _OVERSEAS_PREFIXES.get(rest[:3])
        return f"+{code}{rest}" if code else f"+33{rest}"
    for codes in (_OVERSEAS_CODES, _COLLECTIVITY_CODES):
        for code, length in codes.items():
            rest = digits[len(code) :]
            if digits.startswith(code) and len(rest) == length and rest[0] != "0":
                return f"+{digits}"
    return None


def format_phone(value: str) -> str:
    """A stored number as French people write it: "06 12 34 56 78", "02 62 12 34 56"; a number
    of a collectivity keeps its international form ("+687 12 34 56"). Anything else (a value
    from before numbers were checked) is returned as it is."""
    if not value or not value.startswith("+"):
        return value or ""
    digits = value[1:]
    for code in ("33", *_OVERSEAS_CODES):
        if digits.startswith(code) and len(digits) == len(code) + 9:
            national = "0" + digits[len(code) :]
            return " ".join(national[i : i + 2] for i in range(0, 10, 2))
    for code in _COLLECTIVITY_CODES:
        if digits.startswith(code):
            rest = digits[len(code) :]
            return f"+{code} " + " ".join(rest[i : i + 2] for i in range(0, len(rest), 2))
    return value
