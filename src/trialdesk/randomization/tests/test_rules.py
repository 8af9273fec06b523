"""Randomization rules as tables: what makes a scheme unusable, a participant's levels and stratum, counts."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.randomization import rules

TWO_ARMS = [{"code": "A", "ratio": 1}, {"code": "B", "ratio": 1}]
TWO_TO_ONE = [{"code": "A", "ratio": 2}, {"code": "B", "ratio": 1}]
SEX = {"name": "sex", "levels": ["M", "F"], "weight": 1.0}


def problems(**overrides) -> dict[str, str]:
    values = dict(
        method=rules.PERMUTED_BLOCKS,
        arms=TWO_ARMS,
        factors=[SEX],
        block_sizes=[2, 4],
        per_stratum=10,
        p_preferred=0.8,
        site_is_factor=False,
    )
    values.update(overrides)
    return rules.scheme_problems(**values)


@pytest.mark.parametrize(
    "overrides, field, words",
    [
        ({}, None, ""),
        ({"arms": TWO_ARMS[:1]}, "arms", "at least two arms"),
        ({"arms": [TWO_ARMS[0], TWO_ARMS[0]]}, "arms", "listed twice"),
        ({"arms": TWO_TO_ONE, "block_sizes": [4]}, "block_sizes", "not a multiple of 3"),
        ({"arms": TWO_TO_ONE, "block_sizes": [3, 6]}, None, ""),
        ({"block_sizes": []}, "block_sizes", "at least one block size"),
        ({"per_stratum": None}, "per_stratum", "how many slots"),
        ({"per_stratum": 10_001}, "per_stratum", "At most 10,000"),
        ({"factors": [SEX, SEX]}, "factors", "listed twice"),
        ({"factors": [{"name": "sex"}]}, "factors", "name and its levels"),
        ({"site_is_factor": True}, "site_is_factor", "minimization only"),
        ({"method": rules.MINIMIZATION}, None, ""),
        ({"method": rules.MINIMIZATION, "factors": []}, "factors", "at least one factor"),
        ({"method": rules.MINIMIZATION, "factors": [], "site_is_factor": True}, None, ""),
        (
            {
                "method": rules.MINIMIZATION,
                "factors": [{"name": "site", "levels": ["1"]}],
                "site_is_factor": True,
            },
            "factors",
            "already a factor",
        ),
        ({"method": rules.MINIMIZATION, "p_preferred": 0.4}, "p_preferred", "between 1/2"),
        ({"method": rules.MINIMIZATION, "factors": [{**SEX, "weight": 0}]}, "factors", "not all 0"),
    ],
)
def test_scheme_problems(overrides, field, words):
    found = problems(**overrides)
    if field is None:
        assert found == {}
    else:
        assert words in found[field]


@pytest.mark.parametrize(
    "given_levels, expected",
    [
        ({"sex": "F", "age": "<65"}, {"sex": "F", "age": "<65"}),
        ({"age": ">=65", "sex": "M"}, {"sex": "M", "age": ">=65"}),
        ({"sex": "X", "age": "<65"}, "unknown level 'X' for factor sex (levels: M, F)."),
        ({"sex": "F", "age": "<65", "bmi": "high"}, "unknown factor 'bmi' (factors: sex, age)."),
        ({"sex": "F"}, "no level given for age."),
    ],
)
def test_participant_levels(given_levels, expected):
    factors = [SEX, {"name": "age", "levels": ["<65", ">=65"]}]
    if isinstance(expected, dict):
        assert rules.participant_levels(factors, given_levels) == expected
    else:
        with pytest.raises(ValueError) as refused:
            rules.participant_levels(factors, given_levels)
        assert str(refused.value) == expected


@pytest.mark.parametrize(
    "factors, levels, stratum",
    [
        ([], {}, "all"),
        ([SEX], {"sex": "F"}, "sex=F"),
        ([SEX, {"name": "age", "levels": ["<65", ">=65"]}], {"age": "<65", "sex": "M"}, "sex=M;age=<65"),
    ],
)
def test_stratum_of(factors, levels, stratum):
    assert rules.stratum_of(factors, levels) == stratum


def test_minimization_counts_add_up_by_arm_and_level():
    past = [
        ("A", {"sex": "F", "age": "<65"}),
        ("B", {"sex": "F", "age": ">=65"}),
        ("A", {"sex": "M", "age": "<65"}),
    ]
    assert rules.minimization_counts(past) == {
        "A": {"sex=F": 1, "age=<65": 2, "sex=M": 1},
        "B": {"sex=F": 1, "age=>=65": 1},
    }


def test_list_digest_changes_with_any_row():
    rows = [{"stratum": "all", "sequence": 1, "arm": "A"}, {"stratum": "all", "sequence": 2, "arm": "B"}]
    swapped = [{**rows[0], "arm": "B"}, {**rows[1], "arm": "A"}]
    assert rules.list_digest(rows) != rules.list_digest(swapped)
    assert rules.list_digest(rows) == rules.list_digest([dict(reversed(row.items())) for row in rows])


@pytest.mark.parametrize(
    "values, masked",
    [
        ([None, "A"], [None, "blinded"]),
        (["A", "B"], ["blinded", "blinded"]),
        (["A", None], ["blinded", None]),
    ],
)
def test_masked(values, masked):
    assert rules.masked(values) == masked


NAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
LEVEL = st.text(alphabet="abcXYZ0123<>=", min_size=1, max_size=5)


@given(
    st.lists(
        st.tuples(NAME, st.lists(LEVEL, min_size=1, max_size=4, unique=True), st.integers(0, 5)),
        min_size=1,
        max_size=4,
        unique_by=lambda factor: factor[0],
    ).filter(lambda factors: any(weight for _, _, weight in factors))
)
def test_factors_survive_the_form_text_and_back(factors):
    stored = [{"name": n, "levels": levels, "weight": float(w)} for n, levels, w in factors]
    spec, weights = rules.factors_as_text(stored)
    assert rules.factors_from_text(spec, weights) == stored
