"""The score's parts and the ordering of clear cases (pure functions, no database)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bourse.matching import scoring
from bourse.matching.scoring import Features

LYON = (45.7640, 4.8357)
VILLEURBANNE = (45.7719, 4.8902)  # ~4 km from Lyon
VIENNE = (45.5253, 4.8747)  # ~27 km from Lyon


def make(**overrides) -> Features:
    values = {
        "id": 1,
        "company_id": 1,
        "kind": "need",
        "category_id": 10,
        "parent_id": 1,
        "latitude": LYON[0],
        "longitude": LYON[1],
        "radius_km": 50,
        "text": "Recherche stockage de palettes",
    }
    values.update(overrides)
    return Features(**values)


def offer(**overrides) -> Features:
    return make(**{"id": 2, "company_id": 2, "kind": "offer", **overrides})


def score(base: Features, other: Features) -> float:
    from bourse.geo.distance import haversine_km

    d = haversine_km(base.latitude, base.longitude, other.latitude, other.longitude)
    return scoring.score_pair(base, other, d).score


def test_weights_sum_to_one_and_score_stays_in_unit_interval():
    assert sum(scoring.WEIGHTS.values()) == pytest.approx(1.0)
    perfect = scoring.score_pair(make(text="quai palettes"), offer(text="quai palettes"), 0.0)
    assert perfect.score == pytest.approx(1.0 - scoring.WEIGHTS["quantity"] / 2)
    nothing = scoring.score_pair(
        make(available_until=date(2026, 1, 1)),
        offer(category_id=11, available_from=date(2026, 2, 1), text="rien"),
        50.0,
    )
    assert 0.0 <= nothing.score <= 1.0


def test_exact_category_beats_parent_category():
    need = make()
    assert score(need, offer(category_id=10)) > score(need, offer(category_id=11))


def test_category_that_is_itself_a_parent_is_in_the_family():
    parent_listing = make(category_id=1, parent_id=None)
    child_offer = offer(category_id=10, parent_id=1)
    assert scoring.category_part(parent_listing, child_offer) == scoring.CATEGORY_FAMILY
    assert scoring.is_candidate(parent_listing, child_offer, 1.0)
    assert scoring.category_part(parent_listing, offer(category_id=1, parent_id=None)) == 1.0


def test_nearer_beats_farther():
    need = make()
    near = offer(latitude=VILLEURBANNE[0], longitude=VILLEURBANNE[1])
    far = offer(latitude=VIENNE[0], longitude=VIENNE[1])
    assert score(need, near) > score(need, far)


def test_distance_part_decays_relative_to_the_larger_radius():
    assert scoring.distance_part(0, 10, 50) == 1.0
    assert scoring.distance_part(25, 10, 50) == pytest.approx(0.5)
    assert scoring.distance_part(50, 50, 10) == 0.0
    assert scoring.distance_part(80, 50, 10) == 0.0


def test_overlapping_window_beats_disjoint_window():
    need = make(available_from=date(2026, 3, 1), available_until=date(2026, 3, 31))
    overlapping = offer(available_from=date(2026, 2, 15), available_until=date(2026, 4, 15))
    disjoint = offer(available_from=date(2026, 5, 1), available_until=date(2026, 5, 31))
    assert score(need, overlapping) > score(need, disjoint)
    assert (
        scoring.availability_part(
            need.available_from,
            need.available_until,
            disjoint.available_from,
            None,
            today=date(2026, 2, 1),
        )
        == 0.0
    )


def test_availability_is_the_share_of_the_need_window_the_offer_covers():
    today = date(2026, 3, 1)
    # No windows at all: the offer is always there.
    assert scoring.availability_part(None, None, None, None, today=today) == 1.0
    # A 10-day need, an offer open from its 6th day: half of it.
    assert scoring.availability_part(
        date(2026, 3, 1), date(2026, 3, 10), date(2026, 3, 6), None, today=today
    ) == pytest.approx(0.5)
    # A short offer inside a long need covers only its share (not "all of the shorter one").
    assert scoring.availability_part(
        date(2026, 3, 1), date(2026, 3, 30), date(2026, 3, 1), date(2026, 3, 3), today=today
    ) == pytest.approx(0.1)
    # A long offer around a short need covers all of it.
    assert (
        scoring.availability_part(
            date(2026, 3, 5), date(2026, 3, 6), date(2026, 1, 1), date(2026, 12, 31), today=today
        )
        == 1.0
    )


def test_open_ended_need_counts_its_first_weeks():
    today = date(2026, 3, 1)
    # A need from now on, open-ended, and an offer from the autumn: nothing covered.
    assert scoring.availability_part(today, None, date(2026, 9, 1), None, today=today) == 0.0
    # Open from two weeks on: half of the first four weeks.
    assert scoring.availability_part(
        today, None, today + timedelta(days=14), None, today=today
    ) == pytest.approx(0.5)
    # A need without any window starts today.
    assert scoring.availability_part(
        None, None, today + timedelta(days=14), None, today=today
    ) == pytest.approx(0.5)
    # The days of a need already past do not count.
    assert (
        scoring.availability_part(
            date(2026, 1, 1), date(2026, 3, 10), date(2026, 3, 1), date(2026, 3, 10), today=today
        )
        == 1.0
    )


def test_offer_covering_the_whole_need_beats_half():
    need = make(quantity=Decimal("10"), unit="pallet")
    whole = offer(quantity=Decimal("12"), unit="pallet")
    half = offer(quantity=Decimal("5"), unit="pallet")
    assert score(need, whole) > score(need, half)
    assert scoring.quantity_part(need, whole) == 1.0
    assert scoring.quantity_part(need, half) == pytest.approx(0.5)


def test_quantities_in_different_units_or_missing_are_neutral():
    need = make(quantity=Decimal("10"), unit="pallet")
    assert scoring.quantity_part(need, offer(quantity=Decimal("10"), unit="kg")) is None
    assert scoring.quantity_part(need, offer(quantity=None, unit="")) is None
    parts, compared = scoring.cheap_parts(need, offer(quantity=None), 1.0)
    assert parts["quantity"] == scoring.QUANTITY_NEUTRAL and compared is False


def test_shared_words_beat_none():
    need = make(text="Besoin de palettes pour un quai de chargement")
    shared = offer(text="Quais de chargement et palettes disponibles")
    unrelated = offer(text="Chariot élévateur électrique")
    assert score(need, shared) > score(need, unrelated)
    result = scoring.score_pair(need, shared, 0.0)
    assert result.common_words == ("palettes", "quai", "chargement")


def test_french_normalisation_folds_accents_stop_words_and_plurals():
    assert scoring.word_stems("Les entrepôts frigorifiques") == scoring.word_stems(
        "un entrepot frigorifique"
    )
    assert scoring.stem("palettes") == scoring.stem("palette")
    assert scoring.stem("bureaux") == scoring.stem("bureau")
    assert scoring.stem("élévateurs") != "élévateurs"
    assert scoring.word_stems("le la les de des et pour 20") == frozenset()


def test_candidate_rules_pure():
    need = make(radius_km=10)
    assert scoring.is_candidate(need, offer(radius_km=30), 25.0)  # within the other's radius
    assert not scoring.is_candidate(need, offer(radius_km=20), 25.0)
    assert not scoring.is_candidate(need, offer(kind="need"), 1.0)
    assert not scoring.is_candidate(need, offer(company_id=1), 1.0)
    assert not scoring.is_candidate(need, offer(category_id=20, parent_id=2), 1.0)


def test_describe_says_it_in_french():
    need = make(
        quantity=Decimal("10"),
        unit="pallet",
        text="palettes quai",
        available_from=date(2026, 3, 1),
        available_until=date(2026, 3, 31),
    )
    other = offer(
        quantity=Decimal("10"),
        unit="pallet",
        text="palette et quai",
        available_from=date(2026, 3, 1),
        available_until=date(2026, 3, 31),
    )
    reasons = scoring.describe(scoring.score_pair(need, other, 12.3))
    assert reasons == [
        "même catégorie",
        "à 12 km",
        "disponible aux mêmes dates",
        "quantité suffisante",
        "mots en commun : palettes, quai",
    ]
    sibling = scoring.describe(scoring.score_pair(need, offer(category_id=11, text="x"), 0.2))
    assert sibling[0] == "catégorie voisine"
    assert sibling[1] == "à moins d'1 km"


def test_describe_a_tiny_share_of_the_need():
    need = make(quantity=Decimal("2400"), unit="unit")
    tiny = scoring.score_pair(need, offer(quantity=Decimal("1"), unit="unit"), 3.0)
    assert "quantité partielle (moins de 1 %)" in scoring.describe(tiny)
    half = scoring.score_pair(need, offer(quantity=Decimal("1200"), unit="unit"), 3.0)
    assert "quantité partielle (50 %)" in scoring.describe(half)


def test_cheap_scorer_agrees_with_the_pure_part_functions():
    import random

    rng = random.Random(3)
    for _ in range(300):

        def window():
            start = (
                date(2026, 1, 1) + timedelta(days=rng.randrange(60)) if rng.random() < 0.7 else None
            )
            until = (
                date(2026, 3, 1) + timedelta(days=rng.randrange(60)) if rng.random() < 0.7 else None
            )
            return start, until

        a_from, a_until = window()
        b_from, b_until = window()
        base = make(
            available_from=a_from,
            available_until=a_until,
            quantity=rng.choice([None, Decimal(5), Decimal(10)]),
            unit=rng.choice(["", "kg", "pallet"]),
            radius_km=rng.randrange(1, 200),
        )
        other = offer(
            category_id=rng.choice([10, 11, 1]),
            parent_id=None,
            available_from=b_from,
            available_until=b_until,
            quantity=rng.choice([None, Decimal(2), Decimal(20)]),
            unit=rng.choice(["", "kg", "pallet"]),
            radius_km=rng.randrange(1, 200),
        )
        other = Features(
            **{
                **{f: getattr(other, f) for f in other.__slots__},
                "parent_id": None if other.category_id == 1 else 1,
            }
        )
        d = rng.random() * 150
        parts, compared = scoring.cheap_parts(base, other, d)
        quantity = scoring.quantity_part(base, other)
        assert parts == {
            "category": scoring.category_part(base, other),
            "distance": scoring.distance_part(d, base.radius_km, other.radius_km),
            "availability": scoring.availability_part(
                a_from, a_until, b_from, b_until, today=timezone.localdate()
            ),
            "quantity": scoring.QUANTITY_NEUTRAL if quantity is None else quantity,
            "text": 0.0,
        }
        assert compared is (quantity is not None)


def test_negated_words_are_not_read_as_a_match():
    need = make(text="Atelier avec pont roulant 5 t\nassemblage de charpente")
    without = offer(text="Atelier sans pont roulant 400 m2\nhauteur 4 m, porte sectionnelle")
    with_crane = offer(id=3, text="Local d'activité équipé PR 10 t\nbâtiment industriel")
    analysis = scoring.analyse(without.text)
    assert "=pont roulant" in analysis.negated
    assert "=pont roulant" not in analysis.stems
    scored = scoring.score_pair(need, without, 3.0)
    assert scored.requirements < 1.0
    assert "incompatible : pont roulant" in scoring.describe(scored)
    assert scoring.score_pair(need, with_crane, 3.0).score > scored.score


def test_negation_stops_at_the_end_of_the_clause_and_after_three_words():
    analysis = scoring.analyse("Produits non dangereux uniquement (pas d'ADR), palettes filmées")
    assert {scoring.stem("dangereux"), "=adr"} <= analysis.negated
    assert scoring.stem("palettes") in analysis.stems
    far = scoring.analyse("sans quai niveleur couvert ni chauffé, éclairé")
    assert scoring.stem("chauffe") in far.negated
    assert scoring.stem("eclaire") in far.stems
    reach = scoring.analyse("sans quai niveleur couvert éclairé")
    assert scoring.stem("couvert") in reach.negated
    assert scoring.stem("eclaire") in reach.stems


def test_vocabulary_joins_spellings_that_share_no_stem():
    lexicon = scoring.Lexicon.default()
    pairs = [
        ("conducteur PL", "chauffeur poids lourd"),
        ("GRV souples", "big bags"),
        ("EPI chantier", "équipements de protection"),
        ("Fenwick 3,5 T", "chariot élévateur"),
        ("palettes EPAL", "palette Europe"),
        ("chambre froide positive", "stockage frigorifique 2-8 °C"),
    ]
    for a, b in pairs:
        shared = scoring.analyse(a, lexicon).stems & scoring.analyse(b, lexicon).stems
        assert any(s.startswith(scoring.CONCEPT_PREFIX) for s in shared), (a, b)


def test_a_number_ends_a_negation():
    analysis = scoring.analyse("Hangar non isolé 40 palettes")
    assert scoring.stem("isole") in analysis.negated
    assert scoring.stem("palettes") in analysis.stems
