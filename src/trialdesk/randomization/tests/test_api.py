"""The randomization API read as sentences: schemes, `POST /participants/{id}/randomize`, unblinding."""

import pytest

from tests.factories import PASSWORD
from tests.writes import nothing_written
from trialdesk.randomization.models import Allocation, RandomizationScheme, UnblindingEvent
from trialdesk.randomization.tests.factories import build_trial, ensure_arms

JSON = "application/json"


def fields(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


def new_scheme(**overrides) -> dict:
    body = {
        "method": "permuted_blocks",
        "arms": ["A", "B"],
        "factors": [{"name": "sex", "levels": ["M", "F"]}],
        "block_sizes": [2, 4],
        "per_stratum": 10,
    }
    body.update(overrides)
    return body


def test_the_crm_creates_reads_changes_and_activates_a_scheme(world, client_for):
    ensure_arms(world.study_a, by=world.admin)
    crm = client_for(world.crm)
    created = crm.post(
        f"/api/v1/studies/{world.study_a.pk}/randomization-schemes", new_scheme(), content_type=JSON
    )
    assert created.status_code == 201, created.json()
    scheme = created.json()
    assert scheme["status"] == "draft" and scheme["seed"] is None and scheme["block_sizes"] == [2, 4]
    listed = crm.get(f"/api/v1/studies/{world.study_a.pk}/randomization-schemes").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == scheme["id"]
    url = f"/api/v1/randomization-schemes/{scheme['id']}"
    read = crm.get(url)
    assert read["ETag"] == '"1"'
    changed = crm.patch(url, {"per_stratum": 30, "reason": "more", "version": 1}, content_type=JSON)
    assert changed.status_code == 200 and changed.json()["per_stratum"] == 30
    active = crm.post(f"{url}/activate", {"reason": "go"}, content_type=JSON, headers={"If-Match": '"2"'})
    assert active.status_code == 200 and active.json()["status"] == "active"
    locked = crm.patch(url, {"per_stratum": 40, "reason": "more", "version": 3}, content_type=JSON)
    assert locked.status_code == 422 and fields(locked) == ["status"]


def test_a_block_size_that_is_not_a_multiple_of_the_ratio_names_the_field(world, client_for):
    ensure_arms(world.study_a, by=world.admin, ratio_a=2)
    response = client_for(world.crm).post(
        f"/api/v1/studies/{world.study_a.pk}/randomization-schemes",
        new_scheme(block_sizes=[4]),
        content_type=JSON,
    )
    assert response.status_code == 422 and fields(response) == ["block_sizes"]
    assert "multiple of 3" in response.json()["detail"]
    assert not RandomizationScheme.objects.exists()


def test_read_only_roles_may_not_set_up_a_scheme(world, client_for):
    ensure_arms(world.study_a, by=world.admin)
    for person in (world.auditor, world.sponsor_viewer, world.monitor):
        with nothing_written():
            response = client_for(person).post(
                f"/api/v1/studies/{world.study_a.pk}/randomization-schemes", new_scheme(), content_type=JSON
            )
        assert response.status_code == 403
    assert not RandomizationScheme.objects.exists()


@pytest.fixture
def trial(world):
    return build_trial(world)


def test_randomize_answers_201_with_the_arm_concealed_from_blinded_staff(trial, client_for):
    participant = trial.participants[0]
    response = client_for(trial.coordinator_a1).post(
        f"/api/v1/participants/{participant.pk}/randomize", {"factor_levels": {"sex": "F"}}, content_type=JSON
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["participant_number"] == participant.number and body["stratum"] == "sex=F"
    assert (body["arm"], body["arm_name"], body["blinded"]) == (None, None, True)
    allocation = Allocation.objects.get()
    pharmacist = (
        client_for(trial.pharmacist).get(f"/api/v1/studies/{trial.world.study_a.pk}/allocations").json()
    )
    assert pharmacist["items"][0]["arm"] == allocation.arm_code


def test_randomizing_twice_or_with_an_unknown_level_answers_422_naming_the_field(trial, client_for):
    client = client_for(trial.coordinator_a1)
    url = f"/api/v1/participants/{trial.participants[0].pk}/randomize"
    unknown = client.post(url, {"factor_levels": {"sex": "X"}}, content_type=JSON)
    assert unknown.status_code == 422 and fields(unknown) == ["factor_levels"]
    assert "Unknown level 'X' for factor sex" in unknown.json()["detail"]
    assert client.post(url, {"factor_levels": {"sex": "F"}}, content_type=JSON).status_code == 201
    twice = client.post(url, {"factor_levels": {"sex": "F"}}, content_type=JSON)
    assert twice.status_code == 422 and fields(twice) == ["participant"]
    assert Allocation.objects.count() == 1


def test_randomize_is_refused_to_monitors_and_hidden_from_other_sites(trial, client_for, world):
    url = f"/api/v1/participants/{trial.participants[0].pk}/randomize"
    body = {"factor_levels": {"sex": "F"}}
    with nothing_written():
        assert client_for(world.monitor).post(url, body, content_type=JSON).status_code == 403
        assert client_for(world.coordinator).post(url, body, content_type=JSON).status_code == 404
    assert not Allocation.objects.filter(participant=trial.participants[0]).exists()


def test_unblinding_through_the_api_needs_a_signature(trial, client_for):
    participant = trial.participants[0]
    client_for(trial.coordinator_a1).post(
        f"/api/v1/participants/{participant.pk}/randomize", {"factor_levels": {"sex": "F"}}, content_type=JSON
    )
    investigator = client_for(trial.investigator_a1)
    url = f"/api/v1/participants/{participant.pk}/unblind"
    unsigned = investigator.post(url, {"reason": "SAE"}, content_type=JSON)
    assert unsigned.status_code == 422 and fields(unsigned) == ["password"]
    wrong = investigator.post(url, {"reason": "SAE", "password": "guess-guess-guess"}, content_type=JSON)
    assert wrong.status_code == 422 and fields(wrong) == ["password"]
    assert not UnblindingEvent.objects.exists()
    signed = investigator.post(url, {"reason": "SAE", "password": PASSWORD}, content_type=JSON)
    assert signed.status_code == 201
    body = signed.json()
    assert body["arm"] == Allocation.objects.get().arm_code and body["meaning"] == "unblinding"
    assert body["signer"] == trial.investigator_a1.username
