"""Allocation concealment: a blinded monitor or auditor never sees the arm: pages, API, history, exports."""

import csv
import io
import json

import pytest

from tests.factories import PASSWORD
from trialdesk.core import audit
from trialdesk.core.models import AuditEvent
from trialdesk.randomization import services
from trialdesk.randomization.concealment import Reader
from trialdesk.randomization.tests.factories import build_trial
from trialdesk.studies import services as study_services

ARM_NAMES = ("Drug X 10 mg", "Placebo")


@pytest.fixture
def randomized(world):
    trial = build_trial(world)
    allocations = [
        services.randomize(participant=p, factor_levels={"sex": "F"}, by=trial.coordinator_a1)
        for p in trial.participants
    ]
    return trial, allocations


def blinded_readers(trial):
    world = trial.world
    return {
        "monitor": world.monitor,
        "auditor": world.auditor,
        "sponsor_viewer": world.sponsor_viewer,
        "crm": world.crm,
        "coordinator": trial.coordinator_a1,
    }


def surfaces(client, trial, allocation) -> dict[str, str]:
    """Every place an arm could show, as text."""
    study = trial.world.study_a
    return {
        "tab": client.get(f"/studies/{study.pk}/?tab=randomization").content.decode(),
        "history": client.get(f"/studies/{study.pk}/?tab=history").content.decode(),
        "participant": client.get(
            f"/participants/{allocation.participant_id}/randomization/"
        ).content.decode(),
        "csv": client.get(f"/studies/{study.pk}/history/export/?format=csv").content.decode(),
        "json": client.get(f"/studies/{study.pk}/history/export/?format=json").content.decode(),
        "api allocations": client.get(f"/api/v1/studies/{study.pk}/allocations").content.decode(),
        "api audit": client.get(f"/api/v1/studies/{study.pk}/audit-events?limit=500").content.decode(),
    }


def test_blinded_readers_never_see_an_arm(randomized, client_for):
    trial, allocations = randomized
    for name, person in blinded_readers(trial).items():
        client = client_for(person)
        for surface, text in surfaces(client, trial, allocations[0]).items():
            for arm_name in ARM_NAMES:
                # The arms' own setup records (Arms tab, their creation events) are not allocations.
                if surface in ("history", "csv", "json", "api audit"):
                    continue
                assert arm_name not in text, f"{name} sees {arm_name} on {surface}"
        body = client.get(f"/api/v1/studies/{trial.world.study_a.pk}/allocations").json()
        # Sponsor viewers see no subject-level records at all; the others see them blinded.
        assert body["count"] == (0 if name == "sponsor_viewer" else len(allocations))
        assert {(item["arm"], item["arm_name"], item["blinded"]) for item in body["items"]} <= {
            (None, None, True)
        }


def test_the_audit_trail_views_mask_the_arm_for_blinded_readers(randomized, client_for):
    trial, allocations = randomized
    study = trial.world.study_a
    # A sponsor viewer sees no subject-level audit event at all, allocations included.
    sponsor = client_for(trial.world.sponsor_viewer)
    events = sponsor.get(f"/api/v1/studies/{study.pk}/audit-events?limit=500").json()["items"]
    assert events and not [e for e in events if e["action"] == "allocation.created"]
    readers = {name: person for name, person in blinded_readers(trial).items() if name != "sponsor_viewer"}
    for name, person in readers.items():
        client = client_for(person)
        events = client.get(f"/api/v1/studies/{study.pk}/audit-events?limit=500").json()["items"]
        created = [e for e in events if e["action"] == "allocation.created"]
        assert created, name
        for event in created:
            assert event["changes"]["arm_code"] == [None, "blinded"], name
            assert event["changes"]["arm"] == [None, "blinded"], name
            assert event["changes"]["slot"] == [None, "blinded"], name
        exported = json.loads(client.get(f"/studies/{study.pk}/history/export/?format=json").content)
        for event in exported["events"]:
            if event["action"] == "allocation.created":
                assert event["changes"]["arm_code"] == [None, "blinded"], name
        rows = csv.DictReader(
            io.StringIO(client.get(f"/studies/{study.pk}/history/export/?format=csv").content.decode())
        )
        for row in rows:
            if row["action"] == "allocation.created" and row["field"] in (
                "arm",
                "arm_code",
                "slot",
                "scores",
            ):
                assert row["new_value"] == "blinded", name
        history = client.get(f"/studies/{study.pk}/?tab=history").content.decode()
        masked_row = (
            '<th scope="row">Arm code</th><td class="old">—</td>'
            '<td class="arrow">→</td><td class="new">blinded'
        )
        assert masked_row in history, name


def test_the_stored_audit_event_keeps_the_arm(randomized):
    trial, allocations = randomized
    for allocation in allocations:
        event = AuditEvent.objects.get(action="allocation.created", object_id=str(allocation.pk))
        assert event.changes["arm_code"] == [None, allocation.arm_code]
    assert audit.verify_chain().intact


def test_unblinded_access_shows_the_arm_everywhere(randomized, client_for):
    trial, allocations = randomized
    client = client_for(trial.pharmacist)
    study = trial.world.study_a
    page = client.get(f"/participants/{allocations[0].participant_id}/randomization/").content.decode()
    assert allocations[0].arm.name in page
    items = client.get(f"/api/v1/studies/{study.pk}/allocations").json()["items"]
    assert {item["arm"] for item in items} <= {"A", "B"} and not any(item["blinded"] for item in items)
    events = client.get(f"/api/v1/studies/{study.pk}/audit-events?limit=500").json()["items"]
    codes = {e["changes"]["arm_code"][1] for e in events if e["action"] == "allocation.created"}
    assert codes <= {"A", "B"}


def test_emergency_unblinding_reveals_one_participant_to_the_signer_only(randomized, client_for):
    trial, allocations = randomized
    first, second = allocations[:2]
    services.unblind(participant=first.participant, reason="SAE", password=PASSWORD, by=trial.investigator_a1)
    event = AuditEvent.objects.get(action="allocation.created", object_id=str(first.pk))
    other = AuditEvent.objects.get(action="allocation.created", object_id=str(second.pk))
    assert Reader(trial.investigator_a1).event_changes(event)["arm_code"] == [None, first.arm_code]
    assert Reader(trial.investigator_a1).event_changes(other)["arm_code"] == [None, "blinded"]
    assert Reader(trial.coordinator_a1).event_changes(event)["arm_code"] == [None, "blinded"]
    page = client_for(trial.investigator_a1).get(f"/participants/{first.participant_id}/randomization/")
    assert first.arm.name in page.content.decode()


def test_an_open_label_study_shows_the_arm_to_everyone_in_scope(randomized, client_for):
    trial, allocations = randomized
    study_services.update_study(
        study=trial.world.study_a, changes={"blinded": False}, by=trial.world.admin, reason="open-label"
    )
    for person in (trial.world.monitor, trial.world.auditor):
        items = (
            client_for(person).get(f"/api/v1/studies/{trial.world.study_a.pk}/allocations").json()["items"]
        )
        assert {item["arm"] for item in items} <= {"A", "B"}


def test_the_seed_is_shown_only_with_unblinded_access(randomized, client_for):
    trial, _ = randomized
    url = f"/api/v1/randomization-schemes/{trial.scheme.pk}"
    assert client_for(trial.world.crm).get(url).json()["seed"] is None
    assert client_for(trial.world.crm).get(url).json()["block_sizes"] == [2, 4]
    assert client_for(trial.world.monitor).get(url).json()["block_sizes"] is None
    assert client_for(trial.pharmacist).get(url).json()["seed"] == trial.scheme.seed
    created = AuditEvent.objects.get(action="randomizationscheme.created")
    assert Reader(trial.world.crm).event_changes(created)["seed"] == [None, "blinded"]
    assert Reader(trial.pharmacist).event_changes(created)["seed"] == [None, trial.scheme.seed]


def test_the_randomization_list_is_for_unblinded_access_only(randomized, client_for):
    trial, _ = randomized
    url = f"/studies/{trial.world.study_a.pk}/randomization/list/"
    for person in (trial.world.crm, trial.world.monitor, trial.world.auditor, trial.coordinator_a1):
        assert client_for(person).get(url).status_code == 403
    page = client_for(trial.pharmacist).get(url)
    assert page.status_code == 200 and "sex=F" in page.content.decode()
