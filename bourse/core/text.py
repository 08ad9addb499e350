"""Checks on text that comes in at the edge.

A single-line field (a listing's title, a company's or a person's name, a reason, a subject)
ends up in e-mail subjects, notification titles, CSV exports and the admin. There a line break
splits a header, a NUL breaks PostgreSQL, and a bidi override (U+202E...) shows a name reversed
to a moderator. So such a field refuses:

- line breaks and every other control character (Unicode category Cc: CR, LF, NUL, TAB, DEL,
  NEL...), and the Unicode line and paragraph separators (U+2028, U+2029);
- the bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069);
- a text made only of invisible characters (spaces of any kind, zero-width characters, fillers),
  which would show as an empty name.

A multi-line field (a description, a moderator's reason, a report) keeps its line breaks and
tabs but refuses the rest: `validate_text`.

Both are plain Django validators: put it in `validators=[...]` of a model
field, a form field or a DRF serializer field (DRF turns its error into a 400 naming the field).
An empty value is the field's `required` business, not this check's.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

__all__ = ["BIDI_CONTROLS", "is_invisible", "validate_single_line", "validate_text"]

BIDI_CONTROLS = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)] + [chr(c) for c in range(0x2066, 0x206A)]
)
_LINE_SEPARATORS = frozenset("\u2028\u2029")
# Letters and marks Unicode draws as nothing (Hangul fillers, braille blank, Khmer vowels
# inherent, the combining grapheme joiner, Mongolian vowel separator, variation selectors).
_BLANK_GLYPHS = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180e\u2800\u3164\uffa0"
    + "".join(chr(c) for c in range(0xFE00, 0xFE10))
    + "".join(chr(c) for c in range(0xE0100, 0xE01F0))
)
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})

MESSAGE_CONTROL = _(
    "Ce champ tient sur une seule ligne : retours à la ligne et caractères de contrôle "
    "sont refusés."
)
MESSAGE_CONTROL_TEXT = _(
    "Les caractères de contrôle (autres que les retours à la ligne) sont refusés."
)
MESSAGE_BIDI = _("Les caractères qui inversent le sens d'écriture du texte sont refusés.")
MESSAGE_INVISIBLE = _("Ce champ ne peut pas être fait que de caractères invisibles.")


def is_invisible(char: str) -> bool:
    """True when the character draws nothing: spaces, format characters, fillers."""
    return (
        char.isspace()
        or unicodedata.category(char) in _INVISIBLE_CATEGORIES
        or char in _BLANK_GLYPHS
    )


def _check(value, *, allowed: frozenset[str], message) -> None:
    if not value:
        return
    text = str(value)
    for char in text:
        if char in BIDI_CONTROLS:
            raise ValidationError(MESSAGE_BIDI, code="bidi_control")
        if char in allowed:
            continue
        if char in _LINE_SEPARATORS or unicodedata.category(char) == "Cc":
            raise ValidationError(message, code="control_character")
    if all(is_invisible(char) for char in text):
        raise ValidationError(MESSAGE_INVISIBLE, code="invisible")


def validate_single_line(value) -> None:
    """Refuse control characters, bidi controls and text that shows as nothing (see above)."""
    _check(value, allowed=frozenset(), message=MESSAGE_CONTROL)


_TEXT_ALLOWED = frozenset("\r\n\t")


def validate_text(value) -> None:
    """Like `validate_single_line`, but line breaks (CR, LF) and tabs are welcome."""
    _check(value, allowed=_TEXT_ALLOWED, message=MESSAGE_CONTROL_TEXT)
