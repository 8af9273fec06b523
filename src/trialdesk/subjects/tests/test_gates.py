"""Gates on participants that hold on every path (issue 12 §4): the service refuses, the API answers 422
naming the field, the page shows a form error and offers no such move, and nothing is written."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError

from tests.writes import nothing_written
from trialdesk.subjects import rules, services
from trialdesk.subjects.tests.factories import make_enrolled

JSON = "application/json"


@pytest.fixture
def participant(trial):
    return make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)


# A participant becomes randomized only through an allocation ----------------------------------------------


def test_the_status_service_refuses_randomized(trial, participant):
    with nothing_written(), pytest.raises(ValidationError) as refused:
        services.change_participant_status(
            participant=participant, to="randomized", on=None, reason="randomized on paper", by=trial.crm
        )
    assert refused.value.message_dict == {"status": [rules.RANDOMIZED_BY_ALLOCATION_ONLY]}


def test_the_api_refuses_randomized_naming_the_field(trial, client_for, participant):
    with nothing_written():
        response = client_for(trial.coordinator).post(
            f"/api/v1/participants/{participant.pk}/transition",
            json.dumps({"to": "randomized", "reason": "randomized on paper", "version": participant.version}),
            content_type=JSON,
        )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "to", "message": rules.RANDOMIZED_BY_ALLOCATION_ONLY}]


def test_the_page_offers_no_randomized_move_and_refuses_one_posted(trial, client_for, participant):
    client = client_for(trial.coordinator)
    page = client.get(f"/participants/{participant.pk}/")
    offered = [value for value, _ in page.context["status_form"].allowed_choices]
    assert "randomized" not in offered and "on_treatment" in offered
    with nothing_written():
        response = client.post(
            f"/participants/{participant.pk}/status/", {"to": "randomized", "reason": "on paper"}
        )
    assert response.status_code == 200
    assert response.context["form"].errors["to"] == [rules.RANDOMIZED_BY_ALLOCATION_ONLY]


def test_mark_randomized_is_the_allocations_way_in(trial, participant):
    on = dt.date(2025, 3, 5)
    participant = services.mark_randomized(participant=participant, on=on, by=trial.crm)
    assert (participant.status, participant.status_changed_on) == ("randomized", on)
