"""Visit rules as tables: windows, a visit's standing, visit dates, modalities, deviation rates."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.visits import rules

D = dt.date


@pytest.mark.parametrize(
    ("anchor_on", "offset", "before", "after", "target", "start", "end"),
    [
        # baseline on the day of randomization, no window
        (D(2025, 3, 3), 0, 0, 0, D(2025, 3, 3), D(2025, 3, 3), D(2025, 3, 3)),
        # week 2 ±3 days
        (D(2025, 3, 3), 14, 3, 3, D(2025, 3, 17), D(2025, 3, 14), D(2025, 3, 20)),
        # an asymmetric window −2/+7
        (D(2025, 3, 3), 28, 2, 7, D(2025, 3, 31), D(2025, 3, 29), D(2025, 4, 7)),
        # screening 28 days before the anchor, window only after it
        (D(2025, 3, 3), -28, 0, 27, D(2025, 2, 3), D(2025, 2, 3), D(2025, 3, 2)),
        # across a leap day
        (D(2024, 2, 20), 10, 1, 1, D(2024, 3, 1), D(2024, 2, 29), D(2024, 3, 2)),
        # across a year end
        (D(2025, 12, 20), 14, 7, 7, D(2026, 1, 3), D(2025, 12, 27), D(2026, 1, 10)),
    ],
)
def test_visit_window_is_anchor_plus_offset_from_minus_before_to_plus_after(
    anchor_on, offset, before, after, target, start, end
):
    window = rules.visit_window(anchor_on=anchor_on, day_offset=offset, days_before=before, days_after=after)
    assert (window.target_on, window.start_on, window.end_on) == (target, start, end)


@pytest.mark.parametrize(
    ("done_on", "in_window"),
    [
        (D(2025, 3, 13), False),  # the day before the window opens
        (D(2025, 3, 14), True),  # the first day
        (D(2025, 3, 17), True),  # the target day
        (D(2025, 3, 20), True),  # the last day
        (D(2025, 3, 21), False),  # the day after it closes
    ],
)
def test_window_includes_both_ends(done_on, in_window):
    assert rules.is_in_window(done_on, start_on=D(2025, 3, 14), end_on=D(2025, 3, 20)) is in_window


def test_an_unscheduled_visit_is_always_in_window():
    assert rules.is_in_window(D(2025, 1, 1), start_on=None, end_on=None)


START, END = D(2025, 3, 14), D(2025, 3, 20)


@pytest.mark.parametrize(
    ("done_on", "today", "left_on", "standing"),
    [
        (None, D(2025, 3, 1), None, "upcoming"),
        (None, D(2025, 3, 13), None, "upcoming"),
        (None, D(2025, 3, 14), None, "due"),
        (None, D(2025, 3, 20), None, "due"),  # the window's last day is still in time
        (None, D(2025, 3, 21), None, "missed"),  # missed once the last day has ended at the site
        (D(2025, 3, 16), D(2025, 4, 1), None, "done"),
        (D(2025, 3, 22), D(2025, 4, 1), None, "done_out_of_window"),
        (D(2025, 3, 10), D(2025, 4, 1), None, "done_out_of_window"),
        # left the study before the window closed: not expected, even long after
        (None, D(2025, 4, 1), D(2025, 3, 18), "not_expected"),
        (None, D(2025, 3, 1), D(2025, 2, 1), "not_expected"),
        # left after the window closed: it was missed while on study
        (None, D(2025, 4, 1), D(2025, 3, 25), "missed"),
        # a visit done is done, whenever the participant left
        (D(2025, 3, 15), D(2025, 4, 1), D(2025, 3, 18), "done"),
    ],
)
def test_visit_standing(done_on, today, left_on, standing):
    assert (
        rules.visit_standing(done_on=done_on, start_on=START, end_on=END, today=today, left_on=left_on)
        == standing
    )


TODAY = D(2025, 6, 1)


@pytest.mark.parametrize(
    ("done_on", "enrolled_on", "consent_on", "problem"),
    [
        (TODAY, D(2025, 1, 1), D(2024, 12, 20), None),
        (D(2025, 1, 1), D(2025, 1, 1), D(2025, 1, 1), None),
        (D(2025, 6, 2), D(2025, 1, 1), None, "future"),
        (D(2024, 12, 31), D(2025, 1, 1), None, "before the participant's enrollment"),
        (D(2024, 12, 19), D(2025, 1, 1), D(2024, 12, 20), "before the participant's first consent"),
        # a screening visit between consent and enrollment is fine
        (D(2024, 12, 22), None, D(2024, 12, 20), None),
        (D(2024, 12, 22), None, None, None),
    ],
)
def test_visit_date_problem(done_on, enrolled_on, consent_on, problem):
    found = rules.visit_date_problem(
        done_on, today=TODAY, enrolled_on=enrolled_on, first_consent_on=consent_on
    )
    if problem is None:
        assert found is None
    else:
        assert problem in found


@pytest.mark.parametrize(
    ("modalities", "problem"),
    [
        (["on_site"], None),
        (["on_site", "telemedicine", "home_visit", "remote_data"], None),
        ([], "at least one"),
        (["on_site", "teleport"], "Unknown modality: teleport"),
    ],
)
def test_allowed_modalities(modalities, problem):
    found = rules.modalities_problem(modalities)
    assert (found is None) if problem is None else (problem in found)


def test_a_modality_the_definition_does_not_allow_is_refused_naming_the_allowed_ones():
    assert rules.modality_problem("on_site", allowed=["on_site", "telemedicine"]) is None
    assert (
        rules.modality_problem("home_visit", allowed=["on_site", "telemedicine"])
        == "This visit may be done only: on site, telemedicine."
    )


@pytest.mark.parametrize(
    ("occurred_on", "identified_on", "problems"),
    [
        (D(2025, 5, 1), D(2025, 5, 3), set()),
        (D(2025, 5, 1), D(2025, 5, 1), set()),
        (D(2025, 5, 3), D(2025, 5, 1), {"identified_on"}),
        (D(2025, 6, 2), D(2025, 6, 2), {"occurred_on", "identified_on"}),
        (D(2025, 5, 1), D(2025, 6, 2), {"identified_on"}),
    ],
)
def test_deviation_dates(occurred_on, identified_on, problems):
    found = rules.deviation_dates_problem(occurred_on=occurred_on, identified_on=identified_on, today=TODAY)
    assert set(found) == problems


@pytest.mark.parametrize(
    ("enrolled_on", "status", "changed_on", "days"),
    [
        (D(2025, 5, 1), "enrolled", None, 31),  # to today
        (D(2025, 5, 1), "randomized", D(2025, 5, 10), 31),  # a change that is not an exit counts to today
        (D(2025, 5, 1), "withdrawn", D(2025, 5, 11), 10),
        (D(2025, 5, 1), "completed", D(2025, 5, 31), 30),
        (D(2025, 5, 1), "died", D(2025, 5, 1), 0),
        (D(2025, 5, 1), "lost_to_follow_up", None, 31),  # no exit date known: counted to today
        (None, "screening", None, 0),  # not enrolled
        (D(2025, 7, 1), "enrolled", None, 0),  # enrollment dated after today counts nothing
    ],
)
def test_participant_days_run_from_enrollment_to_today_or_exit(enrolled_on, status, changed_on, days):
    assert (
        rules.participant_days(
            enrolled_on=enrolled_on, status=status, status_changed_on=changed_on, today=TODAY
        )
        == days
    )


def test_deviation_rate_is_per_participant_month_of_365_25_by_12_days():
    rate = rules.deviation_rate(deviations=6, important=2, participant_days=4 * 365 + 1)  # 1461 days: 4 years
    assert rate.participant_months == pytest.approx(48.0, abs=1e-9)
    assert rate.rate == pytest.approx(0.125, abs=1e-12)
    assert rate.important_rate == pytest.approx(2 / 48, abs=1e-12)


def test_deviation_rate_without_participant_time_is_unknown():
    rate = rules.deviation_rate(deviations=2, important=1, participant_days=0)
    assert rate.rate is None and rate.important_rate is None


dates = st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 12, 31))
windows = st.integers(min_value=0, max_value=60)


@given(anchor_on=dates, offset=st.integers(-400, 2000), before=windows, after=windows)
def test_a_window_always_holds_its_target_and_spans_before_plus_after_days(anchor_on, offset, before, after):
    window = rules.visit_window(anchor_on=anchor_on, day_offset=offset, days_before=before, days_after=after)
    assert rules.is_in_window(window.target_on, start_on=window.start_on, end_on=window.end_on)
    assert (window.end_on - window.start_on).days == before + after
    assert (window.target_on - anchor_on).days == offset


@given(start=dates, length=st.integers(0, 60), today=dates, later=st.integers(0, 400))
def test_once_missed_a_visit_stays_missed(start, length, today, later):
    end = start + dt.timedelta(days=length)
    if rules.visit_standing(done_on=None, start_on=start, end_on=end, today=today) == rules.MISSED:
        after = today + dt.timedelta(days=later)
        assert rules.visit_standing(done_on=None, start_on=start, end_on=end, today=after) == rules.MISSED


@given(start=dates, length=st.integers(0, 60), done_on=dates, today=dates)
def test_a_visit_done_is_never_missed_and_is_flagged_exactly_when_outside_its_window(
    start, length, done_on, today
):
    end = start + dt.timedelta(days=length)
    standing = rules.visit_standing(done_on=done_on, start_on=start, end_on=end, today=today)
    assert standing == (rules.DONE if start <= done_on <= end else rules.DONE_OUT_OF_WINDOW)
