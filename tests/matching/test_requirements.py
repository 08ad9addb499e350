"""The attributes that decide a substitute, read from listings and compared (pure functions)."""

import pytest

from bourse.matching import requirements, scoring
from bourse.matching.scoring import Features


def read(text: str, *names: str) -> dict:
    analysis = scoring.analyse(text)
    return requirements.read(scoring.fold(text), frozenset(names), analysis.stems, analysis.negated)


@pytest.mark.parametrize(
    ("text", "names", "expected"),
    [
        (
            "Fenwick 3,5 T diesel, mat triplex 4,7 m",
            ("capacity_t", "lift_height_m"),
            {"capacity_t": 3.5, "lift_height_m": 4.7},
        ),
        (
            "Chariot élévateur électrique 1500 kg, levée 3,3 m",
            ("capacity_t", "lift_height_m"),
            {"capacity_t": 1.5, "lift_height_m": 3.3},
        ),
        (
            "Entrepôt frigorifique positif, température dirigée 2 à 8°C",
            ("temperature",),
            {"temp_min": 2.0, "temp_max": 8.0},
        ),
        ("Transport frigo +2/+8, mardi", ("temperature",), {"temp_min": 2.0, "temp_max": 8.0}),
        (
            "Chambre negative -25 °C, surgelés",
            ("temperature",),
            {"temp_min": -25.0, "temp_max": -25.0},
        ),
        ("Cariste expérimenté, CACES R489 3 et 5 à jour", ("caces",), {"caces": ["3", "5"]}),
        ("Magasinier cariste, caces cat 3", ("caces",), {"caces": ["3"]}),
        ("Chauffeur super poids lourd disponible", ("licence",), {"licence": ["CE"]}),
        ("Conducteur PL (permis C)", ("licence",), {"licence": ["C"]}),
        (
            "Palettes de peinture non classées ADR",
            ("adr", "hazard_classes"),
            {"adr": False, "hazard_classes": []},
        ),
        (
            "Camion équipé matières dangereuses, classes 3, 8 et 9",
            ("adr", "hazard_classes"),
            {"adr": True, "hazard_classes": ["3", "8", "9"]},
        ),
        (
            "Farine T65 conventionnelle (non bio)",
            ("organic", "grade"),
            {"organic": False, "grade": ["t65"]},
        ),
        ("Farine de blé certifiée AB", ("organic",), {"organic": True}),
        ("Sucre dénaturé pour alimentation animale", ("food_grade",), {"food_grade": False}),
        ("Sucre cristal, contact alimentaire", ("food_grade",), {"food_grade": True}),
        ("Chutes de tôles inox 304L", ("grade",), {"grade": ["304l"]}),
        (
            "Bâtiment 380 m2, PR 10 t, HSP 8 m",
            ("surface_m2", "crane_t", "ceiling_height_m"),
            {"surface_m2": [380.0], "crane_t": 10.0, "ceiling_height_m": 8.0},
        ),
        (
            "Atelier sans pont roulant, hauteur 4 m",
            ("crane_t", "ceiling_height_m"),
            {"crane_t": 0.0, "ceiling_height_m": 4.0},
        ),
        ("Transpalette manuel, levée 20 cm", ("lift_height_m",), {}),
    ],
)
def test_attributes_are_read_from_the_text_as_owners_write_it(text, names, expected):
    assert read(text, *names) == expected


def statuses(names, need, offer):
    return [c.status for c in requirements.compare(names, need, offer)]


def test_a_need_states_requirements_an_offer_meets_or_not():
    assert statuses(("capacity_t",), {"capacity_t": 3}, {"capacity_t": 3.5}) == ["met"]
    assert statuses(("capacity_t",), {"capacity_t": 3}, {"capacity_t": 1.5}) == ["unmet"]
    assert statuses(("capacity_t",), {"capacity_t": 3}, {"capacity_t": 2.5}) == ["partial"]
    assert statuses(("capacity_t",), {"capacity_t": 3}, {}) == ["unknown"]
    cold = {"temp_min": 2, "temp_max": 8}
    assert statuses(("temperature",), cold, {"temp_min": -25, "temp_max": -18}) == ["unmet"]
    assert statuses(("temperature",), cold, {"temp_min": 2, "temp_max": 6}) == ["met"]
    assert statuses(("temperature",), cold, {"temp_min": -25, "temp_max": 25}) == ["met"]
    assert statuses(("caces",), {"caces": ["3"]}, {"caces": ["1"]}) == ["unmet"]
    assert statuses(("caces",), {"caces": ["3"]}, {"caces": ["3", "5"]}) == ["met"]
    assert statuses(("licence",), {"licence": ["C"]}, {"licence": ["CE"]}) == ["met"]
    assert statuses(("licence",), {"licence": ["C"]}, {"licence": ["B"]}) == ["unmet"]
    assert statuses(("adr",), {"adr": True}, {"adr": False}) == ["unmet"]
    assert statuses(("adr",), {"adr": False}, {}) == []
    assert statuses(("grade",), {"grade": ["304l"]}, {"grade": ["304"]}) == ["partial"]
    assert statuses(("hazard_classes",), {"hazard_classes": ["3"]}, {"hazard_classes": []}) == [
        "unmet"
    ]


def test_checks_are_explained_in_french():
    checks = requirements.compare(("caces",), {"caces": ["3"]}, {"caces": ["1"]})
    assert checks[0].text == "CACES 3 requis : non"
    checks = requirements.compare(("capacity_t",), {"capacity_t": 3}, {"capacity_t": 3.5})
    assert checks[0].text == "capacité suffisante"
    checks = requirements.compare(
        ("temperature",), {"temp_min": 2, "temp_max": 8}, {"temp_min": -25, "temp_max": -18}
    )
    assert checks[0].text == "température incompatible (-25 à -18 °C)"


def listing(id_, kind, text, attributes=None, names=("capacity_t", "lift_height_m")):
    return Features(
        id=id_,
        company_id=id_,
        kind=kind,
        category_id=10,
        parent_id=1,
        latitude=45.76,
        longitude=4.83,
        radius_km=50,
        text=text,
        attributes=attributes,
        attribute_names=names,
    )


def test_a_forklift_too_small_for_the_need_ranks_below_the_one_that_lifts_it():
    need = listing(1, "need", "Chariot élévateur 3T pour 2 semaines", {"capacity_t": 3})
    small = listing(2, "offer", "Chariot élévateur 1,5 t électrique à louer")
    big = listing(3, "offer", "Fenwick 3,5 T diesel, révisé")
    small_scored = scoring.score_pair(need, small, 5.0)
    big_scored = scoring.score_pair(need, big, 7.0)
    assert big_scored.score > small_scored.score
    assert "capacité suffisante" in scoring.describe(big_scored)
    assert "capacité insuffisante (1,5 t pour 3 t)" in scoring.describe(small_scored)
    assert small_scored.reasons()["requirements"] == pytest.approx(0.3)
    # The same from the offer's side: the need's requirement is what counts.
    assert scoring.score_pair(small, need, 5.0).requirements == pytest.approx(0.3)
