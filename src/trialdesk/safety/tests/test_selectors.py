"""Reads of the safety app: the board's buckets and counts, scoping, jurisdictions of a study."""

import datetime as dt

import pytest

from tests.factories import make_institution, make_participant, make_site
from trialdesk.safety import selectors
from trialdesk.safety.models import AdverseEvent, AdverseEventVersion, ReportingObligation
from trialdesk.safety.tests.factories import AWARE, make_adverse_event


@pytest.fixture
def events(world):
    a1 = make_participant(world.site_a1, "101-001", by=world.admin)
    b1 = make_participant(world.site_b1, "201-001", by=world.admin)
    return make_adverse_event(a1, by=world.crm), make_adverse_event(b1, by=world.admin)


def test_board_puts_each_open_obligation_in_its_bucket_grouped_by_study_and_recipient(world, events):
    now = AWARE + dt.timedelta(
        hours=20
    )  # the 24-hour report is due in 4 hours; the 15-day ones this fortnight
    board = selectors.obligations_board(world.crm, now)
    assert list(board.due_24h) == [("ONC-A", "Sponsor")]
    assert board.overdue == {} and board.due_week == {}
    later = selectors.obligations_board(world.crm, AWARE + dt.timedelta(days=10))
    assert set(later.overdue) == {("ONC-A", "Sponsor")}
    assert set(later.due_week) == {
        ("ONC-A", "EudraVigilance"),
        ("ONC-A", "PMDA"),
        ("ONC-A", "Investigators and heads of medical institutions"),
    }
    assert later.counts == {"overdue": 1, "due_24h": 0, "due_week": 3}


def test_submitted_and_not_required_obligations_leave_the_board(world, events):
    event_a, _ = events
    ReportingObligation.objects.filter(adverse_event=event_a).update(status="met", submitted_at=AWARE)
    assert selectors.board_counts(world.crm, AWARE + dt.timedelta(days=10)) == {
        "overdue": 0,
        "due_24h": 0,
        "due_week": 0,
    }


@pytest.mark.parametrize(
    "person, sees_a, sees_b",
    [
        ("admin", True, True),
        ("crm", True, False),
        ("monitor", True, False),
        ("auditor", True, False),
        ("sponsor_viewer", False, False),  # no subject-level records
        ("coordinator", False, True),
        ("outsider", False, False),
    ],
)
def test_events_versions_and_obligations_are_scoped(world, events, person, sees_a, sees_b):
    user = world.people[person]
    event_a, event_b = events
    for model, of_a, of_b in (
        (AdverseEvent, {"pk": event_a.pk}, {"pk": event_b.pk}),
        (AdverseEventVersion, {"adverse_event": event_a}, {"adverse_event": event_b}),
        (ReportingObligation, {"adverse_event": event_a}, {"adverse_event": event_b}),
    ):
        visible = model.objects.visible_to(user)
        assert visible.filter(**of_a).exists() is sees_a, model
        assert visible.filter(**of_b).exists() is sees_b, model


def test_jurisdictions_come_from_the_countries_of_the_sites_plus_the_settings(world):
    assert selectors.study_jurisdictions(world.study_a, selectors.settings_of(world.study_a)) == ("EU", "JP")
    make_site(world.study_a, "103", by=world.admin, institution=make_institution(
        "Toronto General", by=world.admin, country="CA", time_zone="America/Toronto", city="Toronto"
    ))  # fmt: skip
    settings = selectors.settings_of(world.study_a)
    settings.extra_jurisdictions = ["US"]
    assert selectors.study_jurisdictions(world.study_a, settings) == ("US", "EU", "CA", "JP")


def test_board_page_queries_do_not_grow_with_obligations(world, client_for, django_assert_max_num_queries):
    participant = make_participant(world.site_a1, "101-001", by=world.admin)
    aware = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    for _ in range(5):
        onset = aware.date() - dt.timedelta(days=1)
        make_adverse_event(
            participant, by=world.crm, site_aware_at=aware, sponsor_aware_at=None, onset_on=onset
        )
    client = client_for(world.crm)
    # + the coverage warnings (2 queries) and the missed list (1), whatever the number of studies.
    with django_assert_max_num_queries(15):
        assert client.get("/safety/obligations/").status_code == 200
