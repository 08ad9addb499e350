"""Text similarity: French-aware normalisation (lower case, no accents, no stop words, light
stemming), the trade's vocabulary (`Lexicon`: a phrase also holds its concept, "=poids lourd"),
negation ("sans pont roulant" says what a listing has not), the cosine of two sets of stems and
concepts, and the common words shown on the page."""

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from bourse.listings import vocabulary

# At most this many common words are reported.
MAX_COMMON_WORDS = 5

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
            # The vocabulary is read again every minute: the same words keep the same Lexicon,
            # and with it the analyses cached for it (_analyse is keyed by the lexicon).
            if cached is None or _current_lexicon.get("groups") != groups:
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
    # The whole text folded (what requirements are read from), computed once per text.
    folded: str = ""


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
    return Analysis(frozenset(said), frozenset(negated), words, fold(text))


def text_part(stems_a: frozenset[str] | set[str], stems_b: frozenset[str] | set[str]) -> float:
    """Cosine similarity of two sets of stems and concepts."""
    if not stems_a or not stems_b:
        return 0.0
    return len(stems_a & stems_b) / math.sqrt(len(stems_a) * len(stems_b))


def contradictions(a: Analysis, b: Analysis) -> frozenset[str]:
    """What one text says and the other says it is not or has not ("pont roulant" against
    "sans pont roulant"); a word a text both says and negates is left out."""
    return (a.stems & (b.negated - b.stems)) | (b.stems & (a.negated - a.stems))


def readable(keys, analyses: tuple[Analysis, ...]) -> tuple[str, ...]:
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
