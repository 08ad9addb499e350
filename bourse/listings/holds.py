"""What holds a listing for a moderator whatever LISTINGS_REQUIRE_APPROVAL says.

- a word or phrase of the staff-edited list (`WatchedWord`) in the title or the description:
  compared without case or accents, as whole words ("arme" does not hold "armoire");
- an e-mail address or a phone number in the title: contact details belong in the
  conversation, and a title that carries them is the usual shape of spam.

`hold_reasons(title, description)` returns what was found as a list of
`{"code": ..., "word": ...}` (stored in `Listing.hold_reasons`); `describe(reason)` says it in
the reader's language for the moderation queue and API.
"""

import re
import unicodedata

from django.utils.translation import gettext as _

from .models import WatchedWord

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# French numbers (06 12 34 56 78, 06.12.34.56.78, 0612345678, +33 6 12 34 56 78, 0033...) and
# other international ones (+ then 8 to 14 digits with separators).
PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\s?33\s?(?:\(0\)\s?)?[1-9]|0[1-9])(?:[\s.-]?\d{2}){4}(?!\d)"
    r"|(?<![\w+])\+\d(?:[\s.-]?\d){7,13}(?!\d)"
)


def fold(text: str) -> str:
    """Lower case without accents ("Contrefaçon" → "contrefacon")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _contains(folded_text: str, word: str) -> bool:
    folded = fold(word).strip()
    if not folded:
        return False
    pattern = r"(?<!\w)" + r"\s+".join(map(re.escape, folded.split())) + r"(?!\w)"
    return re.search(pattern, folded_text) is not None


def hold_reasons(title: str, description: str) -> list[dict]:
    reasons = []
    title_folded, description_folded = fold(title or ""), fold(description or "")
    for word in WatchedWord.objects.values_list("word", flat=True).order_by("word"):
        if _contains(title_folded, word) or _contains(description_folded, word):
            reasons.append({"code": "watched_word", "word": word})
    if EMAIL.search(title or ""):
        reasons.append({"code": "email_in_title"})
    if PHONE.search(title or ""):
        reasons.append({"code": "phone_in_title"})
    return reasons


def describe(reason: dict) -> str:
    code = reason.get("code")
    if code == "watched_word":
        return _("Contient le mot surveillé « %(word)s ».") % {"word": reason.get("word", "")}
    if code == "email_in_title":
        return _("Adresse e-mail dans le titre.")
    if code == "phone_in_title":
        return _("Numéro de téléphone dans le titre.")
    return str(code)
