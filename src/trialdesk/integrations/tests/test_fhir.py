"""FHIR R4 ResearchStudy / ResearchSubject over the API and as a Bundle, validated with fhir.resources (R4B
models, identical to R4 for these resources); shapes compared with tests/data/fhir/r4/ (HL7, CC0)."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from fhir.resources.bundle import Bundle as BundleR5
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.researchstudy import ResearchStudy
from fhir.resources.R4B.researchsubject import ResearchSubject
from fhir.resources.researchstudy import ResearchStudy as ResearchStudyR5
from fhir.resources.researchsubject import ResearchSubject as ResearchSubjectR5

from tests.reference_data import REFERENCE_DATA
from trialdesk.core.records import create_record, update_record
from trialdesk.integrations.models import RegistryRecord
from trialdesk.randomization import services as randomization_services
from trialdesk.randomization.tests.factories import build_trial
from trialdesk.studies import services as study_services
from trialdesk.subjects.models import Consent
from trialdesk.subjects.tests.factories import make_consent_version

FHIR_EXAMPLES = REFERENCE_DATA / "fhir/r4"


def example(name: str) -> dict:
    return json.loads((FHIR_EXAMPLES / name).read_text())


@pytest.fixture
def trial(world):
    """Study A blinded with an NCT number, two participants at A1 randomized, one with a consent."""
    trial = build_trial(world, participants=2)
    world.study_a = study_services.update_study(
        study=world.study_a,
        changes={"nct_number": "NCT01234567", "status": "recruiting"},
        by=world.admin,
        reason="registered",
    )
    for participant in trial.participants:
        randomization_services.randomize(
            participant=participant, factor_levels={"sex": "M"}, by=trial.coordinator_a1
        )
    version = make_consent_version(world.study_a, by=world.admin, approved_at=[world.site_a1])
    create_record(
        Consent(
            study=world.study_a,
            study_site=world.site_a1,
            participant=trial.participants[0],
            consent_version=version,
            signed_at=timezone.make_aware(dt.datetime(2025, 2, 27, 10, 0)),
            obtained_by="Dr PI 101",
        ),
        by=world.admin,
    )
    return trial


def get(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].split(";")[0] == "application/fhir+json"
    return response.json()


def test_shipped_examples_are_what_the_validator_accepts():
    ResearchStudy.model_validate(example("researchstudy-example.json"))
    ResearchSubject.model_validate(example("researchsubject-example.json"))


def test_research_study_over_the_api(trial, world, client_for):
    resource = get(client_for(world.crm), f"/api/v1/fhir/ResearchStudy/{world.study_a.pk}")
    ResearchStudy.model_validate(resource)
    assert resource["resourceType"] == example("researchstudy-example.json")["resourceType"]
    assert {"system": "https://clinicaltrials.gov", "value": "NCT01234567", "use": "secondary"} in resource[
        "identifier"
    ]
    assert resource["identifier"][0]["value"] == "ONC-A"
    assert resource["status"] == "active"
    assert resource["phase"]["coding"][0] == {
        "system": "http://terminology.hl7.org/CodeSystem/research-study-phase",
        "code": "phase-3",
        "display": "Phase 3",
    }
    assert resource["condition"] == [{"text": "Oncology"}]
    contained = {c["id"]: c for c in resource["contained"]}
    assert contained["enrollment"]["quantity"] == 120
    assert [s["reference"] for s in resource["site"]] == ["#site-101", "#site-102"]
    assert contained["site-101"]["address"]["country"] == "DE"
    assert {a["name"] for a in resource["arm"]} == {"A", "B"}


def test_research_study_lists_only_the_readers_sites(trial, world, client_for):
    resource = get(client_for(world.monitor), f"/api/v1/fhir/ResearchStudy/{world.study_a.pk}")
    assert [s["reference"] for s in resource["site"]] == ["#site-101"]


def test_research_subject_for_an_unblinded_reader_has_the_arm(trial, world, client_for):
    participant = trial.participants[0]
    resource = get(client_for(trial.pharmacist), f"/api/v1/fhir/ResearchSubject/{participant.pk}")
    ResearchSubject.model_validate(resource)
    assert resource["assignedArm"] == participant.allocation.arm.code
    assert resource["study"]["reference"] == f"ResearchStudy/{world.study_a.pk}"
    assert resource["status"] == "on-study"
    assert resource["individual"]["identifier"]["value"] == "101-001"
    assert resource["consent"]["type"] == "Consent"
    assert "signed 2025-02-27" in resource["consent"]["display"]


@pytest.mark.parametrize("who", ["crm", "monitor", "coordinator_a1"])
def test_research_subject_for_blinded_readers_has_no_arm(trial, world, client_for, who):
    user = getattr(world, who, None) or getattr(trial, who)
    resource = get(client_for(user), f"/api/v1/fhir/ResearchSubject/{trial.participants[0].pk}")
    assert "assignedArm" not in resource and "actualArm" not in resource
    ResearchSubject.model_validate(resource)


def test_open_label_studies_show_the_arm_to_everyone_who_sees_the_participant(trial, world, client_for):
    study_services.update_study(
        study=world.study_a, changes={"blinded": False}, by=world.admin, reason="open"
    )
    resource = get(client_for(world.monitor), f"/api/v1/fhir/ResearchSubject/{trial.participants[0].pk}")
    assert resource["assignedArm"] in {"A", "B"}


def test_out_of_scope_is_404(trial, world, client_for):
    assert (
        client_for(world.coordinator).get(f"/api/v1/fhir/ResearchStudy/{world.study_a.pk}").status_code == 404
    )
    subject_url = f"/api/v1/fhir/ResearchSubject/{trial.participants[0].pk}"
    assert client_for(world.coordinator).get(subject_url).status_code == 404
    assert client_for(world.sponsor_viewer).get(subject_url).status_code == 404
    assert client_for(world.outsider).get("/api/v1/fhir/ResearchStudy/999999").status_code == 404


def test_unauthenticated_is_401(trial, world, client):
    assert client.get(f"/api/v1/fhir/ResearchStudy/{world.study_a.pk}").status_code == 401


def test_bundle_command_writes_a_valid_collection(trial, world, tmp_path):
    target = tmp_path / "bundle.json"
    err = io.StringIO()
    call_command(
        "export",
        "fhir",
        "--study",
        "ONC-A",
        "--user",
        trial.pharmacist.username,
        "-o",
        str(target),
        stderr=err,
    )
    bundle = json.loads(target.read_text())
    Bundle.model_validate(bundle)
    assert bundle["type"] == "collection"
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds == ["ResearchStudy", "ResearchSubject", "ResearchSubject"]
    study_url = bundle["entry"][0]["fullUrl"]
    assert study_url.startswith("urn:uuid:")
    assert all(e["resource"]["study"]["reference"] == study_url for e in bundle["entry"][1:])
    assert all("assignedArm" in e["resource"] for e in bundle["entry"][1:])
    assert "2 ResearchSubject(s)" in err.getvalue()


def test_bundle_of_a_blinded_user_has_no_arms_and_a_server_base(trial, world, tmp_path):
    target = tmp_path / "bundle.json"
    base = "https://trialdesk.example.org/api/v1/fhir"
    call_command(
        "export",
        "fhir",
        "--study",
        "ONC-A",
        "--user",
        world.crm.username,
        "--base-url",
        base,
        "-o",
        str(target),
        stderr=io.StringIO(),
    )
    bundle = json.loads(target.read_text())
    Bundle.model_validate(bundle)
    assert bundle["entry"][0]["fullUrl"] == f"{base}/ResearchStudy/{world.study_a.pk}"
    assert not any("assignedArm" in e["resource"] for e in bundle["entry"])


def test_bundle_command_refuses_a_study_out_of_scope(world, tmp_path):
    with pytest.raises(CommandError, match="no study 'ONC-A'"):
        call_command(
            "export",
            "fhir",
            "--study",
            "ONC-A",
            "--user",
            world.coordinator.username,
            "-o",
            str(tmp_path / "b"),
        )


def test_sites_that_left_are_inactive_locations(trial, world, client_for):
    update_record(world.site_a2, changes={"status": "terminated"}, by=world.admin, reason="site closed early")
    resource = get(client_for(world.crm), f"/api/v1/fhir/ResearchStudy/{world.study_a.pk}")
    contained = {c["id"]: c for c in resource["contained"]}
    assert (contained["site-101"]["status"], contained["site-102"]["status"]) == ("active", "inactive")


# FHIR R5 on request -------------------------------------------------------------------------------------

R5 = {"Accept": "application/fhir+json; fhirVersion=5.0"}


def test_research_study_in_r5_when_asked(trial, world, client_for):
    response = client_for(world.crm).get(f"/api/v1/fhir/ResearchStudy/{world.study_a.pk}", headers=R5)
    assert response["Content-Type"] == "application/fhir+json; fhirVersion=5.0"
    resource = response.json()
    ResearchStudyR5.model_validate(resource)
    assert resource["status"] == "active"
    assert resource["progressStatus"][0]["state"]["coding"][0]["code"] == "recruiting"
    assert resource["recruitment"] == {"targetNumber": 120}
    assert resource["associatedParty"][0]["name"] == "Acme Pharma"
    assert {g["name"] for g in resource["comparisonGroup"]} == {"A", "B"}


def test_research_subject_in_r5_keeps_blinding(trial, world, client_for):
    url = f"/api/v1/fhir/ResearchSubject/{trial.participants[0].pk}"
    blinded = get(client_for(world.crm), url, **R5)
    ResearchSubjectR5.model_validate(blinded)
    assert "assignedComparisonGroup" not in blinded
    assert blinded["progress"][0]["subjectState"]["coding"][0]["code"] == "on-study"
    unblinded = get(client_for(trial.pharmacist), url, **R5)
    assert unblinded["assignedComparisonGroup"] == f"arm-{trial.participants[0].allocation.arm.code}"


def test_an_unsupported_fhir_version_is_406(trial, world, client_for):
    response = client_for(world.crm).get(
        f"/api/v1/fhir/ResearchStudy/{world.study_a.pk}",
        headers={"Accept": "application/fhir+json; fhirVersion=3.0"},
    )
    assert response.status_code == 406
    assert "fhirVersion" in response.json()["detail"]


def test_r5_bundle_from_the_command_line(trial, world, tmp_path):
    target = tmp_path / "bundle.json"
    call_command(
        "export",
        "fhir",
        "--study",
        "ONC-A",
        "--user",
        trial.pharmacist.username,
        "--fhir-version",
        "R5",
        "-o",
        str(target),
        stderr=io.StringIO(),
    )
    bundle = json.loads(target.read_text())
    BundleR5.model_validate(bundle)
    subjects = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "ResearchSubject"]
    assert len(subjects) == 2 and all("assignedComparisonGroup" in subject for subject in subjects)


def test_conditions_and_period_come_from_the_registry_record_when_imported(trial, world, client_for):
    create_record(
        RegistryRecord(
            study=world.study_a,
            nct_number="NCT01234567",
            conditions=["Breast Cancer", "", 7],
            start_on=dt.date(2024, 5, 1),
            completion_on=dt.date(2027, 12, 31),
        ),
        by=world.admin,
    )
    resource = get(client_for(world.crm), f"/api/v1/fhir/ResearchStudy/{world.study_a.pk}")
    ResearchStudy.model_validate(resource)
    assert resource["condition"] == [{"text": "Breast Cancer"}]
    assert resource["period"] == {"start": "2024-05-01", "end": "2027-12-31"}
