"""An adverse event's onset and the site's and sponsor's awareness cannot lie in the future (issue 12 §4):
the rule as a table, then the service, the API (422 naming the field) and the page (a form error), with
nothing written. The onset is a day of the site's calendar; an awareness is an instant."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError

from tests.factories import make_participant
from tests.writes import nothing_written
from trialdesk.safety import services
from trialdesk.safety.rules import consistency
from trialdesk.safety.tests.factories import event_values, make_adverse_event

NOW = dt.datetime(2025, 3, 20, 23, 30, tzinfo=dt.UTC)  # already 21 March in Berlin
BERLIN_TODAY = dt.date(2025, 3, 21)


@pytest.mark.parametrize(
    "facts, fields",
    [
        ({}, set()),
        ({"onset_on": BERLIN_TODAY}, set()),  # today at the site, though not yet in UTC
        ({"onset_on": BERLIN_TODAY + dt.timedelta(days=1)}, {"onset_on"}),
        ({"site_aware_at": NOW}, set()),
        ({"site_aware_at": NOW + dt.timedelta(minutes=4)}, set()),  # a workstation clock a little fast
        ({"site_aware_at": NOW + dt.timedelta(hours=1)}, {"site_aware_at"}),
        ({"sponsor_aware_at": NOW + dt.timedelta(days=2)}, {"sponsor_aware_at"}),
    ],
)
def test_future_problems(facts, fields):
    values = {"onset_on": None, "site_aware_at": None, "sponsor_aware_at": None, **facts}
    problems = consistency.future_problems(**values, site_today=BERLIN_TODAY, now=NOW)
    assert set(problems) == fields


@pytest.fixture
def participant(world, clock):
    clock.move_to(NOW)
    return make_participant(world.site_a1, "101-001", by=world.admin)


def test_the_service_refuses_an_onset_tomorrow_at_the_site(world, participant):
    with nothing_written(), pytest.raises(ValidationError) as refused:
        make_adverse_event(participant, by=world.crm, onset_on=dt.date(2025, 3, 22))
    assert refused.value.message_dict == {
        "onset_on": ["The onset is in the future (today at the site is 2025-03-21)."]
    }


def test_the_service_refuses_an_awareness_in_the_future(world, participant):
    later = NOW + dt.timedelta(hours=2)
    with nothing_written(), pytest.raises(ValidationError) as refused:
        make_adverse_event(participant, by=world.crm, site_aware_at=later, sponsor_aware_at=later)
    assert set(refused.value.message_dict) == {"site_aware_at", "sponsor_aware_at"}


def test_a_follow_up_cannot_move_the_onset_into_the_future(world, participant):
    event = make_adverse_event(participant, by=world.crm)
    with nothing_written(), pytest.raises(ValidationError) as refused:
        services.add_follow_up(
            adverse_event=event, by=world.crm, reason="onset corrected", onset_on=dt.date(2025, 4, 1)
        )
    assert set(refused.value.message_dict) == {"onset_on"}


def test_an_onset_today_at_the_site_is_accepted(world, participant):
    event = make_adverse_event(
        participant, by=world.crm, onset_on=BERLIN_TODAY, site_aware_at=NOW, sponsor_aware_at=NOW
    )
    assert event.onset_on == BERLIN_TODAY


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"onset_on": "2025-03-22"}, "onset_on"),
        ({"site_aware_at": "2025-03-21T10:00:00+01:00"}, "site_aware_at"),
        ({"sponsor_aware_at": "2026-01-01T00:00:00Z"}, "sponsor_aware_at"),
    ],
)
def test_the_api_answers_422_naming_the_future_fact(world, client_for, participant, overrides, field):
    body = {
        "participant_id": participant.pk,
        "verbatim_term": "short of breath",
        "ctcae_term": "pneumonitis",
        "grade": 3,
        "onset_on": "2025-03-09",
        "seriousness": ["hospitalization"],
        "expected": False,
        "site_aware_at": "2025-03-10T10:00:00+01:00",
        **overrides,
    }
    with nothing_written():
        response = client_for(world.crm).post(
            f"/api/v1/studies/{world.study_a.pk}/adverse-events",
            json.dumps(body),
            content_type="application/json",
        )
    assert response.status_code == 422
    assert field in {error["field"] for error in response.json()["errors"]}


def test_the_page_shows_the_future_onset_as_a_form_error(world, client_for, participant):
    values = event_values()
    form = {
        "participant": participant.pk,
        "verbatim_term": values["verbatim_term"],
        "ctcae_term": values["ctcae_term"],
        "grade": "3",
        "onset_on": "2025-03-22",
        "seriousness": ["hospitalization"],
        "expected": "no",
        "action_taken": "interrupted",
        "outcome": "recovering",
        "site_aware_at": "2025-03-21T00:10",
    }
    with nothing_written():
        response = client_for(world.crm).post(f"/studies/{world.study_a.pk}/adverse-events/new/", form)
    assert response.status_code == 200
    assert "in the future" in response.context["form"].errors["onset_on"][0]
