"""The criteria parser against a hand-labelled set of real ClinicalTrials.gov criteria (data/
ctgov_criteria_labelled.json, its source and licence named there): the share of items that get a
suggested rule and the precision of those suggestions must not fall below the figures README.md
publishes ("Recruitment: eligibility")."""

import json
from pathlib import Path

from trialdesk.interop.eligibility.text import registry_age_rule, registry_sex_rule, suggest_rule

LABELLED = json.loads(
    (Path(__file__).parent / "data" / "ctgov_criteria_labelled.json").read_text(encoding="utf-8")
)
# Published in README.md; measured 2026-12-07: 10 of 150 items suggested (6.7 %), 8 of 10 correct (80 %).
PUBLISHED_SHARE_SUGGESTED = 0.066
PUBLISHED_PRECISION = 0.80


def measured() -> tuple[int, int, int, int]:
    """(items, items with a suggestion, correct suggestions, items a rule can state)."""
    items = LABELLED["items"]
    suggested = [(suggest_rule(item["text"]), item["expected_rule"]) for item in items]
    made = [(rule, expected) for rule, expected in suggested if rule is not None]
    correct = sum(1 for rule, expected in made if rule == expected)
    expressible = sum(1 for item in items if item["expected_rule"] is not None)
    return len(items), len(made), correct, expressible


def test_the_labelled_set_is_the_real_records_items():
    assert len(LABELLED["items"]) == 150 and len({item["nct"] for item in LABELLED["items"]}) == 9
    assert "public domain" in LABELLED["licence"]


def test_share_suggested_and_precision_do_not_fall_below_the_published_figures():
    items, made, correct, _ = measured()
    assert made / items >= PUBLISHED_SHARE_SUGGESTED
    assert correct / made >= PUBLISHED_PRECISION


def test_the_registry_age_and_sex_fields_give_the_labelled_rules():
    for field in LABELLED["registry_fields"]:
        if field["field"] == "sex":
            assert registry_sex_rule(field["value"]) == field["expected_rule"]
        else:
            value = field["value"]
            rule = registry_age_rule(value["minimumAge"] or "", value["maximumAge"] or "")
            assert rule == field["expected_rule"]
