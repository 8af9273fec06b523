"""Re-consent in a study's health (compliance) and in site staff's "my work": the rule as a table, and
against real consents: participant 101-001 (site 101) consented on v1.0; v2.0 is approved at site 101 on
2025-06-10 and must be signed by 2025-07-10 (the study's 30-day window).

Coordinator Cora works at site 101, Carl at site 201 of study B; Mia monitors site 101.
"""

import datetime as dt

import pytest
from django.utils import translation

from trialdesk.core.extensions import AMBER, GREEN, RED
from trialdesk.subjects import rules
from trialdesk.subjects.health import read_reconsent
from trialdesk.subjects.tests.factories import make_consent_version, make_enrolled
from trialdesk.subjects.work import reconsents_due

D = dt.date
TODAY = D(2025, 7, 1)


@pytest.mark.parametrize(
    "pending, colour, why",
    [
        ([], GREEN, "no re-consent pending"),
        ([(D(2025, 7, 9), False)], GREEN, "1 re-consent pending, none due within 7 days"),
        ([(D(2025, 7, 8), False)], AMBER, "1 re-consent due within 7 days"),
        ([(D(2025, 7, 1), False), (D(2025, 7, 2), False)], AMBER, "2 re-consents due within 7 days"),
        ([(D(2025, 6, 30), True), (D(2025, 7, 2), False)], RED, "1 participant overdue for re-consent"),
        ([(D(2025, 6, 30), True), (D(2025, 6, 1), True)], RED, "2 participants overdue for re-consent"),
    ],
)
def test_reconsent_health(pending, colour, why):
    with translation.override("en"):  # the reason is in the reader's language (issue 20 §6)
        assert rules.reconsent_health(pending, today=TODAY) == (colour, why)


@pytest.fixture
def v2_at_101(trial):
    participant = make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)
    assert participant.number == "101-001"
    make_consent_version(
        trial.study_a,
        by=trial.crm,
        label="2.0",
        effective_on=D(2025, 6, 1),
        approved_at=[trial.site_a1],
        approved_on=D(2025, 6, 10),
    )
    return participant


@pytest.mark.parametrize(
    "when, colour, why",
    [
        ("2025-07-01T10:00Z", GREEN, "1 re-consent pending, none due within 7 days"),
        ("2025-07-05T10:00Z", AMBER, "1 re-consent due within 7 days"),
        ("2025-07-11T10:00Z", RED, "1 participant overdue for re-consent"),
    ],
)
def test_the_reading_follows_the_due_date(trial, v2_at_101, clock, when, colour, why):
    clock.move_to(when)
    reading = read_reconsent(trial.crm, trial.study_a, clock.today())
    assert (reading.dimension, reading.colour, reading.why) == ("compliance", colour, why)
    assert reading.url == f"/studies/{trial.study_a.pk}/?tab=reconsent"


def test_a_sponsor_viewer_reads_hidden_not_none_pending(trial, v2_at_101, clock):
    clock.move_to("2025-07-11T10:00Z")
    reading = read_reconsent(trial.sponsor_viewer, trial.study_a, clock.today())
    assert reading.why == "hidden: participants' re-consents are subject-level data you may not see"
    assert read_reconsent(trial.auditor, trial.study_a, clock.today()).colour == RED  # auditors see them


def test_the_coordinator_of_site_101_sees_the_reconsent_of_101_001_due_the_monitor_does_not(
    trial, v2_at_101, clock
):
    clock.move_to("2025-07-05T10:00Z")
    [item] = reconsents_due(trial.coordinator, clock.today())
    assert item.kind == "reconsent" and item.study_code == "ONC-A"
    assert item.title == "Re-consent participant 101-001 (site 101) on consent v2.0 (en)"
    assert (item.due_on, item.overdue) == (D(2025, 7, 10), False)
    assert item.url == f"/participants/{v2_at_101.pk}/consent/"
    for person in ("monitor", "crm", "auditor", "sponsor_viewer", "coordinator", "outsider", "admin"):
        assert reconsents_due(trial.world.people[person], clock.today()) == [], person
    clock.move_to("2025-07-11T10:00Z")
    assert reconsents_due(trial.coordinator, clock.today())[0].overdue


def test_site_staff_get_only_their_own_sites_participants(trial, v2_at_101, clock):
    make_enrolled(trial.site_a2, "S-2", by=trial.crm, version=trial.v1)
    make_consent_version(
        trial.study_a, by=trial.crm, label="2.0-JP", effective_on=D(2025, 6, 1), approved_at=[trial.site_a2]
    )
    clock.move_to("2025-07-05T10:00Z")
    assert [item.title.split(" (")[0] for item in reconsents_due(trial.coordinator, clock.today())] == [
        "Re-consent participant 101-001"
    ]
