"""The trade's vocabulary: seeded by the migration, edited by staff, read by search and
matching."""

import time

import pytest

from bourse.listings import vocabulary
from bourse.listings.models import TradeTerm
from bourse.matching import scoring


@pytest.fixture(autouse=True)
def _fresh_vocabulary():
    vocabulary.forget()
    yield
    vocabulary.forget()


@pytest.mark.django_db
def test_migration_seeds_the_trade_common_terms():
    terms = set(TradeTerm.objects.values_list("term", flat=True))
    assert {"poids lourd", "CACES", "EPI", "GRV souple", "chariot élévateur", "gerbeur"} <= terms
    assert "big bag" in vocabulary.spellings_of("GRV")
    assert "Fenwick" in vocabulary.spellings_of("chariot élévateur")
    assert vocabulary.spellings_of("inconnu") == ["inconnu"]


@pytest.mark.django_db
def test_a_term_staff_add_is_used_by_matching_at_once():
    before = scoring.Lexicon.current()
    a = scoring.analyse("plateau bâché", before)
    b = scoring.analyse("savoyarde", before)
    assert not a.stems & b.stems
    TradeTerm.objects.create(term="savoyarde", variants="plateau bâché, tautliner")
    after = scoring.Lexicon.current()
    assert after is not before
    a = scoring.analyse("plateau bâché", after)
    b = scoring.analyse("savoyarde", after)
    assert "=savoyarde" in a.stems & b.stems


def test_variants_are_split_on_commas_semicolons_and_lines():
    assert vocabulary.parse_variants(" PL,poids  lourd;\nPL\n\nporteur ") == [
        "PL",
        "poids lourd",
        "porteur",
    ]


@pytest.mark.django_db
def test_staff_edit_the_vocabulary_in_the_admin(admin_client):
    response = admin_client.post(
        "/admin/listings/tradeterm/add/",
        {"term": "hayon", "variants": "hayon élévateur, monte-charge arrière"},
    )
    assert response.status_code == 302
    assert "monte-charge arrière" in vocabulary.spellings_of("hayon")


@pytest.mark.django_db(
    transaction=True, serialized_rollback=True
)  # the rebuild's thread reads with its own connection
def test_an_old_index_of_known_words_serves_while_a_thread_rebuilds_it():
    from tests import factories

    factories.ListingFactory(title="Bétonnière électrique")
    first = vocabulary.known_words()
    assert "betonniere" in first["betonniere"]
    factories.ListingFactory(title="Dameuse vibrante")
    assert vocabulary.known_words() is first  # not expired: kept as it is
    vocabulary._known["at"] = time.monotonic() - vocabulary.KNOWN_WORDS_SECONDS - 1
    assert vocabulary.known_words() is first  # expired: still answers at once...
    deadline = time.monotonic() + 10
    while vocabulary._known["index"] is first and time.monotonic() < deadline:
        time.sleep(0.02)
    rebuilt = vocabulary.known_words()  # ...while a thread reads the titles again
    assert rebuilt is not first
    assert "dameuse" in rebuilt["dameuse"]
    assert vocabulary.corrections("damuse") == ["dameuse"]


@pytest.mark.django_db
def test_a_failed_rebuild_keeps_the_old_index_and_waits_a_minute(monkeypatch, caplog):
    first = vocabulary.known_words()
    tries = []

    def failing():
        tries.append(1)
        raise RuntimeError("database away")

    monkeypatch.setattr(vocabulary, "_build_known_words", failing)
    vocabulary._known["at"] = time.monotonic() - vocabulary.KNOWN_WORDS_SECONDS - 1
    assert vocabulary.known_words() is first
    deadline = time.monotonic() + 10
    while vocabulary._rebuilding.locked() or not tries:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert "rebuilding the index of known words failed" in caplog.text
    for _ in range(5):  # searches right after: the old index, no new try
        assert vocabulary.known_words() is first
    time.sleep(0.1)
    assert len(tries) == 1
