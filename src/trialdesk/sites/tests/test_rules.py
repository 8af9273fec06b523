"""The study-site lifecycle as a table: from each status, where a site may go next."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.sites import rules
from trialdesk.sites.models import SiteStatus

ALLOWED = [
    ("identified", "", ("under_feasibility", "on_hold", "terminated")),
    ("under_feasibility", "", ("selected", "on_hold", "terminated")),
    ("selected", "", ("start_up", "on_hold", "terminated")),
    ("start_up", "", ("activated", "on_hold", "terminated")),
    ("activated", "", ("enrolling", "on_hold", "terminated")),
    ("enrolling", "", ("enrollment_closed", "on_hold", "terminated")),
    ("enrollment_closed", "", ("closed", "on_hold", "terminated")),
    ("closed", "", ()),
    ("terminated", "", ()),
    ("on_hold", "enrolling", ("enrolling", "terminated")),
    ("on_hold", "start_up", ("start_up", "terminated")),
]


@pytest.mark.parametrize(("current", "before_hold", "expected"), ALLOWED)
def test_allowed_transitions_follow_the_lifecycle(current, before_hold, expected):
    assert rules.allowed_transitions(current, status_before_hold=before_hold) == expected


def test_skipping_a_step_is_refused_naming_the_allowed_ones():
    problem = rules.transition_problem("selected", "enrolling")
    assert problem == "A site that is selected can move only to: start up, on hold, terminated."


def test_a_closed_site_cannot_change_status():
    assert rules.transition_problem("closed", "enrolling") == "A site that is closed cannot change status."


statuses = st.sampled_from([s.value for s in SiteStatus])


@given(current=statuses, target=statuses, before=st.sampled_from(sorted(rules.OPEN_STATUSES)))
def test_transition_problem_agrees_with_allowed_transitions(current, target, before):
    allowed = rules.allowed_transitions(current, status_before_hold=before)
    problem = rules.transition_problem(current, target, status_before_hold=before)
    assert (problem is None) == (target in allowed)
    if problem:
        for name in allowed:
            assert name.replace("_", " ") in problem


@given(current=st.sampled_from(sorted(rules.OPEN_STATUSES)))
def test_every_open_site_may_be_put_on_hold_or_terminated(current):
    allowed = rules.allowed_transitions(current)
    assert "on_hold" in allowed and "terminated" in allowed


@pytest.mark.parametrize(
    ("code", "ok"), [("DE", True), ("us", True), ("JP", True), ("XX", False), ("DEU", False), ("", False)]
)
def test_country_must_be_iso_alpha_2(code, ok):
    assert (rules.country_problem(code) is None) is ok


@pytest.mark.parametrize(
    ("zone", "ok"),
    [
        ("Europe/Berlin", True),
        ("America/New_York", True),
        ("Asia/Kolkata", True),
        ("Mars/Olympus", False),
        ("CEST", False),
    ],
)
def test_time_zone_must_be_iana(zone, ok):
    assert (rules.time_zone_problem(zone) is None) is ok
