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


# --- participant numbers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "number"),
    [
        ("{site}-{seq:03d}", "101-007"),
        ("{study}/{site}/{seq}", "ONC-A/101/7"),
        ("P{seq:05d}", "P00007"),
        ("{site}{seq:02d}", "10107"),
    ],
)
def test_participant_number_follows_the_format(template, number):
    assert rules.number_format_problem(template) is None
    assert rules.participant_number(template, site="101", seq=7, study="ONC-A") == number


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("{site}-{name}", "Unknown placeholder {name}"),
        ("{site}", "needs the running number {seq}"),
        ("{site}-{seq", "unmatched brace"),
        ("{site:03d}-{seq}", "format is not valid"),
        ("{seq.real}", "Unknown placeholder {seq.real}"),
        ("{seq[0]}", "Unknown placeholder"),
        ("{seq:0>60}", "too long"),
    ],
)
def test_bad_participant_number_format_is_refused_with_the_problem(template, problem):
    assert problem in rules.number_format_problem(template)


@pytest.mark.parametrize(
    ("template", "per_site"),
    [("{site}-{seq:03d}", True), ("{site:>4}-{seq}", True), ("P{seq:05d}", False), ("{study}-{seq}", False)],
)
def test_running_number_restarts_at_each_site_only_when_the_format_names_the_site(template, per_site):
    assert rules.numbers_run_per_site(template) is per_site


@given(st.integers(min_value=1, max_value=99_999), st.integers(min_value=1, max_value=99_999))
def test_different_running_numbers_give_different_participant_numbers(a, b):
    numbers = {rules.participant_number("{site}-{seq:03d}", site="101", seq=n, study="X") for n in (a, b)}
    assert len(numbers) == (1 if a == b else 2)
