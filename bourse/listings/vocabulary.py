"""The trade's vocabulary: words that mean the same thing to the people who post listings.

A `TradeTerm` row is a term and its synonyms and abbreviations ("poids lourd": PL, camion
porteur). Staff edit them in the admin; `SEED` is what the data migration put there first.
Matching (bourse.matching.scoring.Lexicon) reads every spelling of a group as one concept;
search expands a query word into the spellings of its groups, the same way on SQLite and
PostgreSQL (expansion of the query, not a dictionary file on the database server that staff
could not edit).

The groups are read once and kept `CACHE_SECONDS` per process; a change in the admin clears this
process's copy at once and reaches the others within that time.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass

from bourse.geo.data import fold

CACHE_SECONDS = 60
logger = logging.getLogger(__name__)

# (term, synonyms and abbreviations): the trade's common ones.
SEED: list[tuple[str, list[str]]] = [
    ("poids lourd", ["PL", "camion porteur", "porteur"]),
    ("super poids lourd", ["SPL", "semi-remorque", "semi", "tracteur routier"]),
    ("véhicule léger", ["VL"]),
    ("véhicule utilitaire", ["VUL", "utilitaire", "fourgon", "camionnette"]),
    ("chauffeur", ["conducteur", "routier", "chauffeur-livreur"]),
    ("CACES", ["certificat d'aptitude à la conduite en sécurité"]),
    ("cariste", ["conducteur de chariot", "magasinier cariste"]),
    ("EPI", ["équipement de protection individuelle", "équipements de protection"]),
    ("GRV souple", ["GRV", "big bag", "bigbag", "FIBC", "grand récipient pour vrac"]),
    ("chariot élévateur", ["Fenwick", "chariot frontal", "élévateur", "clark"]),
    ("transpalette", ["tire-palette", "transpal"]),
    ("gerbeur", ["transpalette électrique", "transpalette à levée haute", "transpalette gerbeur"]),
    (
        "chambre froide",
        [
            "chambre frigorifique",
            "entrepôt frigorifique",
            "stockage frigorifique",
            "frigo",
            "stockage froid",
        ],
    ),
    ("frigorifique", ["frigo", "réfrigéré", "température dirigée", "reefer"]),
    ("surgelé", ["congelé", "froid négatif", "négatif", "congélateur"]),
    ("froid positif", ["positif", "frais"]),
    ("palette Europe", ["palette EUR", "palette EPAL", "EPAL", "EUR", "80x120"]),
    ("pont roulant", ["PR", "pont"]),
    ("hauteur sous plafond", ["HSP"]),
    ("ADR", ["matières dangereuses", "marchandises dangereuses"]),
    ("sauveteur secouriste du travail", ["SST", "secourisme", "secouriste"]),
    ("PEHD", ["PE-HD", "HDPE", "polyéthylène haute densité"]),
    ("PEBD", ["PE-BD", "LDPE", "polyéthylène basse densité"]),
    ("bio", ["biologique", "AB", "agriculture biologique"]),
    ("ordinateur portable", ["PC portable", "laptop"]),
    ("presse plieuse", ["plieuse"]),
    ("comptable", ["compta", "comptabilité"]),
    ("entrepôt", ["hangar", "dépôt", "local de stockage"]),
    ("atelier", ["local d'activité", "hall industriel", "bâtiment industriel"]),
    ("intérimaire", ["intérim"]),
]


@dataclass(frozen=True, slots=True)
class Group:
    """A term and its other spellings (the term first)."""

    term: str
    spellings: tuple[str, ...]


_SEPARATORS = re.compile(r"[,;\n]+")


def parse_variants(text: str) -> list[str]:
    """The spellings of a `variants` field, separated by commas, semicolons or lines, without
    blanks or repeats (compared without case or accents)."""
    seen: set[str] = set()
    found = []
    for raw in _SEPARATORS.split(text):
        spelling = " ".join(raw.split())
        if spelling and fold(spelling) not in seen:
            seen.add(fold(spelling))
            found.append(spelling)
    return found


def make_group(term: str, variants: list[str]) -> Group:
    spellings = [term] + [v for v in variants if fold(v) != fold(term)]
    return Group(term=term, spellings=tuple(spellings))


def seed_groups() -> tuple[Group, ...]:
    """The vocabulary of SEED (what a fresh database holds; also used where no database is)."""
    return tuple(make_group(term, variants) for term, variants in SEED)


_cache: dict[str, object] = {"at": 0.0, "groups": None}


def groups() -> tuple[Group, ...]:
    """Every group of the staff-edited vocabulary (cached CACHE_SECONDS in this process)."""
    now = time.monotonic()
    cached = _cache["groups"]
    if cached is not None and now - float(_cache["at"]) < CACHE_SECONDS:
        return cached  # type: ignore[return-value]
    from .models import TradeTerm

    loaded = tuple(
        make_group(term, parse_variants(variants))
        for term, variants in TradeTerm.objects.order_by("term").values_list("term", "variants")
    )
    _cache.update(at=now, groups=loaded)
    return loaded


def forget() -> None:
    """Drop this process's copy (after a change in the admin, and in tests)."""
    _cache.update(at=0.0, groups=None)
    _known.update(at=0.0, index=None)


def spellings_of(word: str, vocabulary: tuple[Group, ...] | None = None) -> list[str]:
    """Every spelling of the groups a word or phrase belongs to, the word itself first
    (compared without case or accents): what search looks for when someone types it."""
    wanted = " ".join(fold(word).split())
    found = [word]
    seen = {wanted}
    for group in groups() if vocabulary is None else vocabulary:
        if any(" ".join(fold(s).split()) == wanted for s in group.spellings):
            for spelling in group.spellings:
                key = " ".join(fold(spelling).split())
                if key not in seen:
                    seen.add(key)
                    found.append(spelling)
    return found


# --- Search: a query's words with their other spellings and one-letter typos ------------------
MAX_PHRASE_WORDS = 4
TYPO_MIN_LENGTH = 5  # shorter words have too many neighbours one letter away
KNOWN_WORDS_SECONDS = 600
KNOWN_WORDS_RETRY_SECONDS = 60
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_known: dict[str, object] = {"at": 0.0, "index": None}


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _one_edit(a: str, b: str) -> bool:
    """a and b differ by one letter replaced, added or removed."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def known_words() -> dict[str, set[str]]:
    """The words people search for, as an index for typos: every word (5 letters or more) of
    the vocabulary, the category names and the titles of published listings, under itself and
    each of its one-letter deletions. Built once per process before its first use, then rebuilt
    every KNOWN_WORDS_SECONDS in a thread of its own while searches go on with the previous one:
    reading every title took ~150 ms at 30,000 listings, which would be seconds at national
    scale, inside whichever search came first after the expiry."""
    index = _known["index"]
    if index is None:
        return _build_known_words()
    if time.monotonic() - float(_known["at"]) >= KNOWN_WORDS_SECONDS:
        _rebuild_in_background()
    return index  # type: ignore[return-value]


def _build_known_words() -> dict[str, set[str]]:
    from .models import Category, Listing

    started = time.monotonic()
    words: set[str] = set()
    for group in groups():
        for spelling in group.spellings:
            words.update(_words(spelling))
    for name in Category.objects.values_list("name", flat=True):
        words.update(_words(name))
    titles = Listing.objects.filter(status=Listing.Status.PUBLISHED).values_list("title", flat=True)
    for title in titles.iterator(chunk_size=5000):
        words.update(_words(title))
    index: dict[str, set[str]] = {}
    for word in words:
        if len(word) >= TYPO_MIN_LENGTH - 1 and not word.isdigit():
            for key in {word} | _deletions(word):
                index.setdefault(key, set()).add(word)
    _known.update(at=started, index=index)
    return index


_rebuilding = threading.Lock()


def _rebuild_in_background() -> None:
    """Starts one rebuild of the index at a time per process, in a daemon thread that closes
    its own database connection when done (a pooled one goes back to the pool)."""
    if not _rebuilding.acquire(blocking=False):
        return  # one is under way

    def rebuild():
        from django.db import connections

        try:
            _build_known_words()
        except Exception:
            # The previous index stays, and is tried again in a minute, not on every search
            # while the database is away.
            logger.exception("rebuilding the index of known words failed")
            _known["at"] = time.monotonic() - KNOWN_WORDS_SECONDS + KNOWN_WORDS_RETRY_SECONDS
        finally:
            connections.close_all()
            _rebuilding.release()

    threading.Thread(target=rebuild, name="known-words", daemon=True).start()


def forget_known_words() -> None:
    _known.update(at=0.0, index=None)


def corrections(word: str, index: dict[str, set[str]] | None = None) -> list[str]:
    """Known words one letter away from `word` (folded), when `word` itself is not known and
    has at least TYPO_MIN_LENGTH letters: "fenwik" → ["fenwick"], "transpallette" →
    ["transpalette"]."""
    word = fold(word)
    if len(word) < TYPO_MIN_LENGTH or word.isdigit():
        return []
    index = known_words() if index is None else index
    if word in index.get(word, ()):
        return []
    found: set[str] = set()
    for key in {word} | _deletions(word):
        found.update(w for w in index.get(key, ()) if _one_edit(word, w))
    return sorted(found)


# The last vocabulary's spellings by their words, with that vocabulary: groups() returns the same
# tuple until it reloads, so the table is built once per load, not on every search (it folded
# every spelling of the vocabulary each time).
_by_words: list[tuple[tuple[Group, ...], dict[tuple[str, ...], list[str]]] | None] = [None]


def _spellings_by_words(vocabulary: tuple[Group, ...]) -> dict[tuple[str, ...], list[str]]:
    """Every spelling's words (folded) → the spellings of the groups it belongs to."""
    kept = _by_words[0]
    if kept is not None and kept[0] is vocabulary:
        return kept[1]
    spellings: dict[tuple[str, ...], list[str]] = {}
    for group in vocabulary:
        keys = [tuple(_words(s)) for s in group.spellings]
        # Each spelling in the singular too, so that a plural typed finds its group.
        keys += [singular for singular in map(_singular_key, keys) if singular not in keys]
        for key in keys:
            if key:
                entry = spellings.setdefault(key, [])
                entry.extend(s for s in group.spellings if s not in entry)
    _by_words[0] = (vocabulary, spellings)
    return spellings


def _singular(word: str) -> str:
    """A folded French word without its plural's mark, crudely ("chevaux" → "cheval",
    "palettes" → "palette"); words of three letters or less (PL, EPI) as they are."""
    if len(word) > 4 and word.endswith("aux"):
        return word[:-3] + "al"
    if len(word) > 3 and word[-1] in "sx":
        return word[:-1]
    return word


def _singular_key(key: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_singular(word) for word in key)


def query_units(text: str, vocabulary: tuple[Group, ...] | None = None) -> list[list[str]]:
    """What a search asks for: each word, or phrase of the vocabulary (longest first, typed in
    the singular or the plural), with its alternatives — the other spellings of its groups, or
    known words one letter away when it is unknown. A listing must match one alternative of
    every unit. The same on every database."""
    spellings = _spellings_by_words(groups() if vocabulary is None else vocabulary)
    words = _words(text)
    units: list[list[str]] = []
    i = 0
    while i < len(words):
        for n in range(min(MAX_PHRASE_WORDS, len(words) - i), 0, -1):
            key = tuple(words[i : i + n])
            found = spellings.get(key) or spellings.get(_singular_key(key))
            if found:
                typed = " ".join(key)
                units.append([typed, *(s for s in found if fold(s) != typed)])
                i += n
                break
        else:
            word = words[i]
            units.append([word, *corrections(word)])
            i += 1
    return units
