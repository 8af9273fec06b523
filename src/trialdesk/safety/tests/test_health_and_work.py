"""Safety's health reading and "my work": open reporting obligations overdue or due within 24 hours,
among those the reader may see (a sponsor viewer reads "hidden", never 0), and each person's own
obligations to submit: the sponsor's to the study's CRM and safety officer, a site's to its staff.

An SAE at site 101 (aware 2025-03-10 09:00 UTC) opens three obligations: the site's report to the
sponsor (due 2025-03-11 09:00 UTC) and the sponsor's SUSAR reports to EudraVigilance and to the PMDA
(due 2025-03-25 23:59:59 UTC).
"""

import datetime as dt

import pytest

from tests.factories import make_participant, make_user
from trialdesk.core.extensions import AMBER, GREEN, RED, UNKNOWN
from trialdesk.core.roles import Role
from trialdesk.core.services import assign_role
from trialdesk.people.tests.factories import make_staff
from trialdesk.safety.health import read_safety
from trialdesk.safety.models import ReportingObligation
from trialdesk.safety.rules import windows
from trialdesk.safety.tests.factories import AWARE, make_adverse_event
from trialdesk.safety.work import obligations_due


@pytest.mark.parametrize(
    "overdue, due_24h, colour, why",
    [
        (0, 0, GREEN, "no reporting obligation overdue or due in the next 24 hours"),
        (0, 1, AMBER, "1 reporting obligation due in the next 24 hours"),
        (0, 3, AMBER, "3 reporting obligations due in the next 24 hours"),
        (1, 0, RED, "1 reporting obligation overdue"),
        (2, 5, RED, "2 reporting obligations overdue"),
    ],
)
def test_obligations_health(overdue, due_24h, colour, why):
    assert windows.obligations_health(overdue=overdue, due_24h=due_24h) == (colour, why)


@pytest.fixture
def sae_at_101(world):
    participant = make_participant(world.site_a1, "101-001", by=world.admin)
    return make_adverse_event(participant, by=world.crm)


def test_the_sites_report_due_within_24_hours_makes_safety_amber(world, sae_at_101, clock):
    clock.move_to(AWARE + dt.timedelta(hours=20))
    reading = read_safety(world.crm, world.study_a, clock.today())
    assert (reading.dimension, reading.colour) == ("safety", AMBER)
    assert reading.why == "1 reporting obligation due in the next 24 hours"
    assert reading.url == "/safety/obligations/"


def test_an_overdue_report_makes_safety_red_for_everyone_who_sees_it(world, sae_at_101, clock):
    clock.move_to(AWARE + dt.timedelta(days=10))
    for person in ("admin", "crm", "monitor", "auditor"):
        reading = read_safety(world.people[person], world.study_a, clock.today())
        assert (reading.colour, reading.why) == (RED, "1 reporting obligation overdue"), person


def test_a_sponsor_viewers_safety_reading_says_hidden_not_0(world, sae_at_101, clock):
    clock.move_to(AWARE + dt.timedelta(days=10))
    reading = read_safety(world.sponsor_viewer, world.study_a, clock.today())
    assert reading.colour == UNKNOWN
    assert (
        reading.why
        == "hidden: adverse events and their reporting obligations are subject-level data you may not see"
    )
    assert "0" not in reading.why and "no reporting obligation" not in reading.why


def test_site_staff_count_only_their_own_sites_obligations(world, sae_at_101, clock):
    at_102 = make_participant(world.site_a2, "102-001", by=world.admin)
    make_adverse_event(at_102, by=world.crm)  # the same day: site 102's report to the sponsor is overdue too
    clock.move_to(AWARE + dt.timedelta(days=10))
    assert read_safety(world.crm, world.study_a, clock.today()).why == "2 reporting obligations overdue"
    assert read_safety(world.monitor, world.study_a, clock.today()).why == "1 reporting obligation overdue"
    assert read_safety(world.coordinator, world.study_b, clock.today()).colour == GREEN


def test_the_reading_takes_one_query_however_many_obligations(
    world, sae_at_101, clock, django_assert_num_queries
):
    clock.move_to(AWARE + dt.timedelta(days=10))
    for number in range(2, 6):
        participant = make_participant(world.site_a1, f"101-00{number}", by=world.admin)
        make_adverse_event(participant, by=world.crm)
    read_safety(world.crm, world.study_a, clock.today())  # the reader's role facts, loaded once
    with django_assert_num_queries(1):
        assert read_safety(world.crm, world.study_a, clock.today()).why == "5 reporting obligations overdue"


# My work ------------------------------------------------------------------------------------------------


def titles(items):
    return sorted(item.title.split(":")[0] for item in items)


def test_the_crm_and_the_safety_officer_submit_the_sponsors_reports(world, sae_at_101, clock):
    officer = make_user("safety_sofia")
    assign_role(user=officer, role=Role.SAFETY, study=world.study_a, by=world.admin)
    clock.move_to(AWARE + dt.timedelta(days=10))  # the 15-day reports are due within the week
    for person in (world.crm, officer):
        items = obligations_due(person, clock.today())
        assert titles(items) == [
            "Report to EudraVigilance",
            "Report to Investigators and heads of medical institutions",
            "Report to PMDA",
        ]
        assert {(i.kind, i.study_code, i.due_on, i.overdue) for i in items} == {
            ("reporting_obligations", "ONC-A", dt.date(2025, 3, 25), False)
        }


def test_the_coordinator_of_site_101_submits_the_sites_report_to_the_sponsor(world, sae_at_101, clock):
    cora = make_staff(world.site_a1, "coordinator_cora", by=world.admin)
    clock.move_to(AWARE + dt.timedelta(days=10))
    [item] = obligations_due(cora, clock.today())
    obligation = ReportingObligation.objects.get(key="PROTOCOL-SAE-SPONSOR")
    assert item.title.startswith("Report to Sponsor: Serious adverse event reported by the investigator")
    assert "(AE-0001, site 101), due 2025-03-11 10:00 Europe/Berlin" in item.title
    assert (item.due_on, item.overdue) == (dt.date(2025, 3, 11), True)
    assert item.url == f"/obligations/{obligation.pk}/submit/"


def test_people_who_only_see_the_obligations_have_none_to_submit(world, sae_at_101, clock):
    clock.move_to(AWARE + dt.timedelta(days=10))
    for person in ("monitor", "auditor", "sponsor_viewer", "coordinator", "outsider", "admin"):
        assert obligations_due(world.people[person], clock.today()) == [], person


def test_obligations_due_later_than_the_boards_week_or_submitted_are_not_listed(world, sae_at_101, clock):
    clock.move_to(AWARE + dt.timedelta(hours=1))  # the 15-day reports are two weeks off
    assert obligations_due(world.crm, clock.today()) == []
    clock.move_to(AWARE + dt.timedelta(days=10))
    ReportingObligation.objects.filter(key__in=["EU-SUSAR-15D", "JP-GCP-NOTICE-15D"]).update(
        status="met", submitted_at=AWARE
    )
    assert titles(obligations_due(world.crm, clock.today())) == ["Report to PMDA"]
