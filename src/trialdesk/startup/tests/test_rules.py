"""Pure rules of start-up and close-out, as tables: which moves a gate guards, what a refusal names,
what a hand tick needs, and the close-out deadlines (EU CTR Art. 37; FDAAA 801)."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialdesk.startup import rules

D = dt.date


@pytest.mark.parametrize(
    ("current", "target", "gate"),
    [
        ("start_up", "activated", rules.ACTIVATION),
        ("enrollment_closed", "closed", rules.CLOSURE),
        ("on_hold", "activated", None),  # resuming: the site was activated before it was put on hold
        ("activated", "enrolling", None),
        ("selected", "start_up", None),
        ("enrolling", "terminated", None),  # terminating is never held back by a checklist
    ],
)
def test_gate_for_names_the_gate_a_move_passes(current, target, gate):
    assert rules.gate_for(current, target) == gate


def _item(key, state, **values):
    return rules.TrackerItem(key, key.replace("_", " ").capitalize(), state, **values)


def test_a_refusal_names_every_pending_item_and_an_override_lifts_it():
    tracker = rules.Tracker(
        rules.ACTIVATION,
        (
            _item("ethics", rules.PENDING),
            _item("contract", rules.DONE),
            _item("siv", rules.PENDING),
            _item("ip", rules.NOT_REQUIRED),
        ),
    )
    refusal = rules.gate_refusal(tracker)
    assert "cannot be activated: 2 required item(s) pending — Ethics; Siv" in refusal
    assert (tracker.done_count, tracker.required_count) == (1, 3)
    assert rules.gate_refusal(rules.Tracker(rules.ACTIVATION, tracker.items, override=object())) is None
    assert rules.gate_refusal(rules.Tracker(rules.CLOSURE, (_item("x", rules.DONE),))) is None


TODAY = D(2025, 6, 1)
HAND = _item("ip_received", rules.PENDING, tickable=True)


@pytest.mark.parametrize(
    ("item", "done_on", "done_by", "evidence", "retain_until", "fields"),
    [
        (HAND, D(2025, 5, 1), "Dr Ngata", "Receipt 77", None, set()),
        (HAND, None, "Dr Ngata", "Receipt 77", None, {"done_on"}),
        (HAND, D(2025, 6, 2), "Dr Ngata", "Receipt 77", None, {"done_on"}),
        (HAND, D(2025, 5, 1), " ", "", None, {"done_by", "evidence"}),
        (_item("contract", rules.PENDING, source="finance"), D(2025, 5, 1), "A", "B", None, {"item"}),
        (None, D(2025, 5, 1), "A", "B", None, {"item"}),
        (
            _item("archived", rules.PENDING, tickable=True),
            D(2025, 5, 1),
            "A",
            "Box 7",
            None,
            {"retain_until"},
        ),
        (
            _item("archived", rules.PENDING, tickable=True),
            D(2025, 5, 1),
            "A",
            "Box 7",
            D(2025, 5, 1),
            {"retain_until"},
        ),
        (_item("archived", rules.PENDING, tickable=True), D(2025, 5, 1), "A", "Box 7", D(2050, 5, 1), set()),
    ],
)
def test_tick_problems_name_each_missing_field(item, done_on, done_by, evidence, retain_until, fields):
    problems = rules.tick_problems(
        item=item, done_on=done_on, done_by=done_by, evidence=evidence, today=TODAY, retain_until=retain_until
    )
    assert set(problems) == fields


def test_eu_end_of_trial_is_notified_within_15_days_and_results_within_a_year():
    """Regulation (EU) No 536/2014 Art. 37(1) (15 days) and 37(4) (one year from the end of the trial)."""
    found = {
        d.rule.key: d.due_on
        for d in rules.closeout_deadlines(
            countries=["DE", "US"], end_of_trial=D(2025, 3, 31), primary_completion=D(2025, 1, 31)
        )
    }
    assert found == {
        "eu_end_of_trial": D(2025, 4, 15),
        "eu_end_of_trial_all": D(2025, 4, 15),  # Art. 37(2), 37(3)
        "eu_results": D(2026, 3, 31),
        "us_results": D(2026, 1, 31),  # FDAAA 801: one year after primary completion
    }


def test_a_halt_and_an_early_termination_create_their_own_obligations():
    """A halt on 2025-05-10 (15 days, its day in the key), then early termination on 2025-06-01: that day
    is the end of the trial (Art. 37), so the end-of-trial and results deadlines count from it."""
    wanted = {
        w.key: (w.recipient, w.due_on)
        for w in rules.closeout_obligations(
            countries=["DE", "IT"],
            end_of_trial=None,
            primary_completion=None,
            temporary_halt=D(2025, 5, 10),
            early_termination=D(2025, 6, 1),
        )  # fmt: skip
    }
    assert wanted == {
        "eu_end_of_trial/DE": ("Member state DE (CTIS)", D(2025, 6, 16)),
        "eu_end_of_trial/IT": ("Member state IT (CTIS)", D(2025, 6, 16)),
        "eu_end_of_trial_all": ("Member states concerned (CTIS)", D(2025, 6, 16)),
        "eu_temporary_halt/2025-05-10": ("Member states concerned (CTIS)", D(2025, 5, 25)),
        "eu_early_termination": ("Member states concerned (CTIS)", D(2025, 6, 16)),
        "eu_results": ("EU database (CTIS)", D(2026, 6, 1)),
    }
    assert rules.closeout_obligations(countries=["DE"], end_of_trial=None, primary_completion=None) == []


def test_deadlines_follow_the_countries_and_wait_for_the_end_of_trial():
    only_jp = rules.closeout_deadlines(countries=["JP"], end_of_trial=D(2025, 3, 31), primary_completion=None)
    assert only_jp == []
    pending = rules.closeout_deadlines(countries=["US"], end_of_trial=None, primary_completion=None)
    assert [d.due_on for d in pending] == [None] and not pending[0].overdue(TODAY)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2025, 1, 31), 1, D(2025, 2, 28)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2025, 11, 15), 3, D(2026, 2, 15)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(day, months, expected):
    assert rules.add_months(day, months) == expected


@settings(max_examples=30, deadline=None)
@given(st.dates(D(2000, 1, 1), D(2090, 1, 1)), st.integers(0, 120))
def test_add_months_never_goes_back_and_lands_in_the_right_month(day, months):
    later = rules.add_months(day, months)
    assert later >= day
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months


def test_cycle_intervals_and_medians_against_target_and_history():
    dates = {
        "selected": D(2025, 1, 1),
        "contract": D(2025, 2, 15),
        "ethics": D(2025, 3, 1),
        "activated": D(2025, 4, 1),
        "first_participant": None,
    }
    days = rules.interval_days(dates)
    assert days["selected_to_contract"] == 45 and days["selected_to_activated"] == 90
    assert days["activated_to_first_participant"] is None
    other = {**days, "selected_to_activated": 120}
    summary = {
        s.interval: s
        for s in rules.summarise(
            [days, other], targets={"selected_to_activated": 100}, history={"selected_to_activated": 150.0}
        )
    }
    row = summary["selected_to_activated"]
    assert (row.count, row.median_days, row.on_target, row.history_median_days) == (2, 105, False, 150.0)
    assert summary["activated_to_first_participant"].median_days is None


def test_a_member_states_end_of_trial_notice_counts_from_its_own_end_else_the_studys():
    end = dt.date(2026, 3, 1)
    wanted = {
        w.key: w
        for w in rules.closeout_obligations(
            countries=["DE", "FR"], end_of_trial=end, primary_completion=None,
            country_ends={"DE": dt.date(2026, 1, 20), "FR": dt.date(2026, 4, 1)},
        )
    }  # fmt: skip
    german, french = wanted["eu_end_of_trial/DE"], wanted["eu_end_of_trial/FR"]
    assert (german.starts_on, german.due_on) == (dt.date(2026, 1, 20), dt.date(2026, 2, 4))
    assert "end of the trial in DE" in german.basis
    # a country end after the study's cannot be: the study-level day, and the basis says so
    assert (french.starts_on, french.due_on) == (end, dt.date(2026, 3, 16))
    assert french.basis.startswith("study-level end of trial")
    assert wanted["eu_end_of_trial_all"].starts_on == end and not wanted["eu_end_of_trial_all"].basis
