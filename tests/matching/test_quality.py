"""The matching's quality on its labelled set (bench/matching_quality.py) may not regress."""

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "matching_quality.py"


def _quality_module():
    spec = importlib.util.spec_from_file_location("matching_quality", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


quality = _quality_module()


def test_labelled_set_is_big_enough_and_well_formed():
    cases = quality.load_cases()
    assert len(cases) >= 30
    for case in cases:
        assert case["query"]["kind"] in {"offer", "need"}
        graded = [c for c in case["candidates"] if not c.get("rule")]
        assert any(c["g"] >= quality.GOOD for c in graded), case["key"]
        assert any(c["g"] == 0 for c in graded), f"{case['key']}: no look-alike"
        for candidate in case["candidates"]:
            assert candidate.get("rule") in {
                None,
                "same_kind",
                "own_company",
                "other_family",
                "too_far",
            }


@pytest.mark.django_db
def test_matching_quality_holds_its_floor_and_every_hard_rule():
    result = quality.evaluate()
    overall = result["all"]
    assert overall["violations"] == 0, [c["key"] for c in result["cases"] if c["violations"]]
    for measure, floor in quality.FLOOR.items():
        assert overall[measure] >= floor, (measure, overall[measure], floor)


def test_measures_of_a_ranking():
    case = {"candidates": [{"g": 3}, {"g": 0}, {"g": 2}, {"rule": "same_kind", "g": 3}]}
    perfect = quality.case_measures(case, [(3, None, "a"), (2, None, "c"), (0, None, "b")])
    assert perfect == {"p_at_1": 1.0, "mrr": 1.0, "ndcg_at_10": 1.0, "violations": 0}
    wrong_first = quality.case_measures(
        case, [(0, None, "b"), (3, None, "a"), (None, "same_kind", "d")]
    )
    assert wrong_first["p_at_1"] == 0.0
    assert wrong_first["mrr"] == 0.5
    assert wrong_first["ndcg_at_10"] < 0.7
    assert wrong_first["violations"] == 1
