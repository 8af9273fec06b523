"""Study rules as tables: NCT numbers, protocol version lifecycle, milestone variance and lateness."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.studies import rules

D = dt.date


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("NCT01234567", True),
        ("", True),
        ("NCT1234567", False),
        ("NCT012345678", False),
        ("nct01234567", False),
        ("NCT0123456A", False),
        ("EUCT2023-1", False),
    ],
)
def test_nct_number_is_nct_and_eight_digits(value, ok):
    assert (rules.nct_number_problem(value) is None) is ok


@pytest.mark.parametrize(
    ("current", "target", "ok"),
    [
        ("draft", "submitted", True),
        ("submitted", "approved", True),
        ("approved", "effective", True),
        ("effective", "superseded", True),
        ("submitted", "draft", True),
        ("draft", "approved", False),
        ("draft", "effective", False),
        ("superseded", "effective", False),
        ("effective", "draft", False),
    ],
)
def test_protocol_version_moves_forward_only(current, target, ok):
    assert (rules.protocol_transition_problem(current, target) is None) is ok


TODAY = D(2026, 6, 1)

STANDINGS = [
    # baseline, forecast, actual -> variance, late, done
    (D(2026, 5, 1), None, D(2026, 5, 1), 0, False, True),  # done on the day
    (D(2026, 5, 1), None, D(2026, 5, 11), 10, True, True),  # done ten days late
    (D(2026, 5, 1), None, D(2026, 4, 26), -5, False, True),  # done early
    (D(2026, 7, 1), D(2026, 7, 15), None, 14, True, False),  # forecast slipped past baseline
    (D(2026, 7, 1), D(2026, 6, 20), None, -11, False, False),  # forecast ahead of plan
    (D(2026, 5, 1), None, None, 0, True, False),  # baseline gone by, not done: overdue
    (D(2026, 7, 1), None, None, 0, False, False),  # upcoming, on plan
    (None, None, None, None, False, False),  # no dates yet
]


@pytest.mark.parametrize(("baseline", "forecast", "actual", "variance", "late", "done"), STANDINGS)
def test_milestone_standing(baseline, forecast, actual, variance, late, done):
    standing = rules.milestone_standing(
        baseline_on=baseline, forecast_on=forecast, actual_on=actual, today=TODAY
    )
    assert (standing.variance_days, standing.is_late, standing.is_done) == (variance, late, done)


dates = st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 12, 31))


@given(baseline=dates, actual=dates, today=dates)
def test_a_done_milestone_is_late_exactly_when_done_after_baseline(baseline, actual, today):
    standing = rules.milestone_standing(baseline_on=baseline, forecast_on=None, actual_on=actual, today=today)
    assert standing.variance_days == (actual - baseline).days
    assert standing.is_late == (actual > baseline)


@given(actual=dates, today=dates)
def test_actual_date_may_not_be_in_the_future(actual, today):
    assert (rules.actual_date_problem(actual, today) is None) == (actual <= today)
