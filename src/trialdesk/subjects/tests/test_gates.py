"""Gates on participants that hold on every path (issue 12 §4): a participant becomes randomized only
through an allocation, and a second consent on the same version needs a reason. The service refuses, the
API answers 422 naming the field, the page shows a form error (and offers no such move), nothing is
written."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError

from tests.writes import nothing_written
from trialdesk.core.models import AuditEvent
from trialdesk.subjects import rules, services
from trialdesk.subjects.tests.factories import SIGNED, make_enrolled, make_screening_entry

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


# A second consent on the same version needs a reason ---------------------------------------------------

AGAIN = dt.datetime(2025, 3, 10, 10, 0, tzinfo=dt.UTC)
SECOND_CONSENT = (
    "This person already signed this consent version on 2025-03-03: "
    "give the reason for recording another consent on it."
)


@pytest.mark.parametrize(
    "already_signed_on, reason, problem",
    [
        ([], "", None),
        ([dt.date(2025, 3, 3)], "", SECOND_CONSENT),
        ([dt.date(2025, 3, 3)], "   ", SECOND_CONSENT),
        ([dt.date(2025, 3, 3)], "Page 4 initials were missing on the first copy", None),
        ([dt.date(2025, 3, 1), dt.date(2025, 3, 3)], "", SECOND_CONSENT),  # names the latest
    ],
)
def test_repeat_consent_problem(already_signed_on, reason, problem):
    assert rules.repeat_consent_problem(already_signed_on=already_signed_on, reason=reason) == problem


def test_a_second_consent_on_the_same_version_without_a_reason_is_refused(trial, participant):
    # The first consent was signed at screening and linked to the participant at enrollment.
    with nothing_written(), pytest.raises(ValidationError) as refused:
        services.record_consent(
            participant=participant, consent_version=trial.v1, signed_at=AGAIN, by=trial.crm
        )
    assert refused.value.message_dict == {"reason": [SECOND_CONSENT]}


def test_a_second_consent_before_enrollment_is_refused_too(trial):
    entry = make_screening_entry(trial.site_a1, "S-9", by=trial.crm)
    services.record_consent(screening_entry=entry, consent_version=trial.v1, signed_at=SIGNED, by=trial.crm)
    with nothing_written(), pytest.raises(ValidationError) as refused:
        services.record_consent(
            screening_entry=entry, consent_version=trial.v1, signed_at=AGAIN, by=trial.crm
        )
    assert refused.value.message_dict == {"reason": [SECOND_CONSENT]}


def test_a_second_consent_with_a_reason_is_recorded_with_it(trial, participant):
    consent = services.record_consent(
        participant=participant,
        consent_version=trial.v1,
        signed_at=AGAIN,
        by=trial.crm,
        reason="Signature page lost; signed again",
    )
    event = AuditEvent.objects.get(action="consent.created", object_id=str(consent.pk))
    assert event.reason == "Signature page lost; signed again"


def test_the_api_answers_422_naming_reason(trial, client_for, participant):
    body = {"consent_version_id": trial.v1.pk, "signed_at": "2025-03-10T11:00:00+01:00"}
    with nothing_written():
        response = client_for(trial.coordinator).post(
            f"/api/v1/participants/{participant.pk}/consents", json.dumps(body), content_type=JSON
        )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "reason", "message": SECOND_CONSENT}]


def test_the_page_shows_the_missing_reason_on_its_field(trial, client_for, participant):
    form = {"consent_version": trial.v1.pk, "signed_on": "2025-03-10", "signed_time": "11:00"}
    with nothing_written():
        response = client_for(trial.coordinator).post(f"/participants/{participant.pk}/consent/", form)
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == [SECOND_CONSENT]
