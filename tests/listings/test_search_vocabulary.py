"""Search reads the trade's vocabulary and forgives one-letter typos, the same way on SQLite and
PostgreSQL (run this file with DATABASE_URL=postgres://... for the other backend)."""

import pytest

from bourse.listings import vocabulary
from bourse.listings.models import TradeTerm
from bourse.listings.search import ListingSearch, parse_search_params
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_vocabulary():
    vocabulary.forget()
    yield
    vocabulary.forget()


def found(q: str) -> set[str]:
    search = ListingSearch(parse_search_params({"q": q}))
    return {listing.title for listing in search[0 : search.count()]}


@pytest.fixture
def listings(db):
    titles = {
        "Chauffeur poids lourd disponible": "Permis C, FIMO à jour, trois semaines.",
        "Fenwick 3,5 T diesel": "Révisé, mât triplex, à la semaine.",
        "Lot de 300 big bags": "Jamais servis, 1000 kg chacun.",
        "Places de parking": "Plusieurs places couvertes près du centre.",
        "Transpalette manuel": "Deux tonnes, bon état.",
    }
    for title, description in titles.items():
        factories.ListingFactory(title=title, description=description)


def test_an_abbreviation_finds_its_spelled_out_synonym(listings):
    assert found("PL") == {"Chauffeur poids lourd disponible"}
    assert found("chauffeur PL") == {"Chauffeur poids lourd disponible"}
    assert found("GRV") == {"Lot de 300 big bags"}
    assert found("chariot élévateur") == {"Fenwick 3,5 T diesel"}


def test_a_short_synonym_is_a_whole_word_not_a_prefix(listings):
    # "PL" must not find "Places" or "Plusieurs".
    assert "Places de parking" not in found("poids lourd")


def test_a_one_letter_typo_still_finds(listings):
    assert found("fenwik") == {"Fenwick 3,5 T diesel"}
    assert found("transpallette") == {"Transpalette manuel"}
    assert found("chauffeir") == {"Chauffeur poids lourd disponible"}


def test_words_still_all_count(listings):
    assert found("fenwick transpalette") == set()


def test_a_term_staff_add_is_searched_at_once(listings):
    assert found("clark") == {"Fenwick 3,5 T diesel"}  # seeded with chariot élévateur
    TradeTerm.objects.create(term="sac de grande contenance", variants="big bag")
    assert "Lot de 300 big bags" in found("sac de grande contenance")


def test_query_units_group_phrases_and_corrections():
    seed = vocabulary.seed_groups()
    units = vocabulary.query_units("chambre froide pour palettes EPAL", seed)
    assert units[0][0] == "chambre froide" and "frigo" in units[0]
    # "palettes EPAL" is the vocabulary's "palette EPAL" in the plural: one unit, the phrase.
    assert units[-1][0] == "palettes epal" and "palette Europe" in units[-1]
    assert vocabulary.corrections("fenwik", {"fenwick": {"fenwick"}, "fenwik": {"fenwick"}}) == [
        "fenwick"
    ]


def test_a_phrase_of_the_vocabulary_typed_in_the_plural_finds_its_synonyms(listings):
    assert found("chariots élévateurs") == {"Fenwick 3,5 T diesel"}
    assert found("chauffeurs poids lourds") == {"Chauffeur poids lourd disponible"}
    assert vocabulary.query_units("chariots élévateurs")[0][:2] == [
        "chariots elevateurs",
        "chariot élévateur",
    ]
