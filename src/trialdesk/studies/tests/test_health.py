"""The timeline dimension of a study's health: days late of an open milestone and the timeline's colour
as tables, and the signal over the milestones each reader may see."""

import datetime as dt

import pytest

from trialdesk.core.extensions import AMBER, GREEN, RED, UNKNOWN
from trialdesk.studies import rules, services
from trialdesk.studies.health import read_timeline

D = dt.date
TODAY = D(2025, 7, 1)


@pytest.mark.parametrize(
    "baseline_on, forecast_on, days",
    [
        (None, None, 0),  # nothing planned
        (D(2025, 8, 1), None, 0),  # ahead
        (D(2025, 7, 1), None, 0),  # due today
        (D(2025, 6, 30), None, 1),  # baseline gone by, not done
        (D(2025, 6, 1), D(2025, 8, 1), 61),  # re-forecast two months late
        (D(2025, 6, 1), D(2025, 6, 15), 30),  # its forecast too has gone by: late until today
        (D(2025, 8, 1), D(2025, 7, 15), 0),  # forecast earlier than baseline
        (None, D(2025, 6, 21), 10),  # no baseline: the days the forecast has gone by
        (None, D(2025, 7, 20), 0),
    ],
)
def test_days_late_of_an_open_milestone(baseline_on, forecast_on, days):
    assert rules.days_late(baseline_on=baseline_on, forecast_on=forecast_on, today=TODAY) == days


@pytest.mark.parametrize(
    "milestones, colour, why",
    [
        ([], UNKNOWN, "no open milestones"),
        ([("Database lock", 0)], GREEN, "1 open milestone, none late"),
        ([("FPI", 0), ("LPI", 0)], GREEN, "2 open milestones, none late"),
        ([("FPI", 1), ("LPI", 0)], AMBER, "1 of 2 open milestones late; FPI by 1 day"),
        ([("FPI", 30), ("LPI", 5)], AMBER, "2 of 2 open milestones late; FPI by 30 days"),
        ([("FPI", 5), ("LPI", 31)], RED, "2 of 2 open milestones late; LPI by 31 days"),
    ],
)
def test_timeline_health(milestones, colour, why):
    assert rules.timeline_health(milestones) == (colour, why)


def test_a_custom_red_threshold_moves_the_line():
    assert rules.timeline_health([("LPI", 31)], red_after_days=60)[0] == AMBER


def test_each_reader_reads_the_milestones_they_may_see(world, django_assert_max_num_queries):
    # World: first participant in (study-wide, baseline 2025-06-01), site 102 activated (2025-05-01).
    with django_assert_max_num_queries(3):  # the milestones, the reader's role facts, the thresholds
        crm = read_timeline(world.crm, world.study_a, TODAY)
    assert (crm.dimension, crm.colour) == ("timeline", RED)
    assert crm.why == "2 of 2 open milestones late; Site activated (site 102) by 61 days"
    assert crm.url == f"/studies/{world.study_a.pk}/?tab=milestones"
    monitor = read_timeline(world.monitor, world.study_a, TODAY)  # site 101's monitor: no site 102
    assert (monitor.colour, monitor.why) == (
        AMBER,
        "1 of 1 open milestone late; First participant in by 30 days",
    )


def test_done_milestones_no_longer_count(world):
    services.update_milestone(
        milestone=world.site_milestone_a2,
        changes={"actual_on": D(2025, 5, 20)},
        by=world.admin,
        reason="activated",
    )
    assert read_timeline(world.crm, world.study_a, TODAY).why.startswith("1 of 1 open milestone late")
