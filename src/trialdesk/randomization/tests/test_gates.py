"""Gates of randomization that hold on every path (issue 12 §4): a participant is randomized only through
an allocation, and unblinding is not offered for a participant who was never randomized — the service
refuses naming `participant`, the API answers 422, the pages show no unblinding button, nothing is written.
"""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import PASSWORD
from tests.writes import nothing_written
from trialdesk.randomization import rules, services
from trialdesk.randomization.tests.factories import build_trial
from trialdesk.safety.tests.factories import make_adverse_event

JSON = "application/json"
NEVER_RANDOMIZED = "Participant 101-001 was never randomized: there is no arm to unblind."


@pytest.fixture
def trial(world):
    return build_trial(world)


@pytest.mark.parametrize(
    "randomized, blinded, problem",
    [
        (True, True, None),
        (False, True, NEVER_RANDOMIZED),
        (False, False, NEVER_RANDOMIZED),
        (True, False, "This study is open-label: the arm is shown already."),
    ],
)
def test_unblinding_problem(randomized, blinded, problem):
    assert (
        rules.unblinding_problem(participant_number="101-001", randomized=randomized, blinded=blinded)
        == problem
    )


def test_randomizing_is_what_makes_a_participant_randomized(trial):
    participant = trial.participants[0]
    services.randomize(participant=participant, factor_levels={"sex": "F"}, by=trial.coordinator_a1)
    participant.refresh_from_db()
    assert participant.status == "randomized" and participant.allocation


def test_the_service_refuses_to_unblind_a_participant_never_randomized_before_any_signature(trial):
    with nothing_written(), pytest.raises(ValidationError) as refused:
        # No password at all: the refusal is about the participant, not the signature.
        services.unblind(
            participant=trial.participants[0], reason="SAE", password="", by=trial.investigator_a1
        )
    assert refused.value.message_dict == {"participant": [NEVER_RANDOMIZED]}


def test_the_api_refuses_to_unblind_a_participant_never_randomized(trial, client_for):
    url = f"/api/v1/participants/{trial.participants[0].pk}/unblind"
    with nothing_written():
        response = client_for(trial.investigator_a1).post(
            url, {"reason": "SAE", "password": PASSWORD}, content_type=JSON
        )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "participant", "message": NEVER_RANDOMIZED}]


def test_the_pages_offer_no_unblinding_for_a_participant_never_randomized(trial, client_for):
    participant = trial.participants[0]
    client = client_for(trial.investigator_a1)
    assert (
        "Emergency unblinding"
        not in client.get(f"/participants/{participant.pk}/randomization/").content.decode()
    )
    page = client.get(f"/participants/{participant.pk}/unblind/")
    assert page.status_code == 200 and NEVER_RANDOMIZED in page.content.decode()
    assert "Sign and unblind" not in page.content.decode()
    with nothing_written():
        posted = client.post(
            f"/participants/{participant.pk}/unblind/", {"reason": "SAE", "password": PASSWORD}
        )
    assert posted.status_code == 200 and "Sign and unblind" not in posted.content.decode()


def test_safety_pages_offer_unblinding_only_for_a_randomized_participant(trial, client_for):
    world = trial.world
    never, randomized = trial.participants[0], trial.participants[1]
    services.randomize(participant=randomized, factor_levels={"sex": "F"}, by=trial.coordinator_a1)
    never_event = make_adverse_event(never, by=world.crm)
    randomized_event = make_adverse_event(randomized, by=world.crm)
    client = client_for(world.crm)
    susars = client.get(f"/studies/{world.study_a.pk}/?tab=susars").content.decode()
    assert f"/participants/{randomized.pk}/unblind/" in susars
    assert f"/participants/{never.pk}/unblind/" not in susars
    assert (
        "Unblind for regulatory reporting"
        in client.get(f"/adverse-events/{randomized_event.pk}/").content.decode()
    )
    assert (
        "Unblind for regulatory reporting"
        not in client.get(f"/adverse-events/{never_event.pk}/").content.decode()
    )
