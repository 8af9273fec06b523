"""The recruitment API: criteria, pre-screening figures, pools, candidates, uploads and approaches."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from trialdesk.recruitment.models import Candidate, EligibilityCriterion
from trialdesk.recruitment.tests.factories import make_criteria, make_pool, pool_csv

API = "/api/v1"
LOINC = "http://loinc.org"


def test_criteria_of_a_study_are_listed_with_their_rules(world, client_for):
    make_criteria(world.study_a, by=world.crm)
    listed = (
        client_for(world.sponsor_viewer).get(f"{API}/studies/{world.study_a.pk}/eligibility-criteria").json()
    )
    assert listed["count"] == 4
    assert [item["label"] for item in listed["items"]] == ["I1", "I2", "I3", "E1"]
    assert listed["items"][1]["rule"]["unit"] == "/uL"


def test_a_bad_rule_answers_422_naming_the_field_and_saves_nothing(world, client_for):
    body = {
        "section": "inclusion",
        "text": "ANC",
        "rule": {
            "kind": "observation",
            "code": {"system": LOINC, "code": "751-8"},
            "comparator": "=>",
            "value": 1,
            "unit": "10*9/L",
        },
    }
    response = client_for(world.crm).post(
        f"{API}/studies/{world.study_a.pk}/eligibility-criteria", body, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "rule"
    assert not EligibilityCriterion.objects.exists()


def test_a_criterion_is_created_changed_and_deleted(world, client_for):
    crm = client_for(world.crm)
    body = {
        "section": "exclusion",
        "text": "Pregnancy",
        "rule": {
            "kind": "condition",
            "code": {"system": "http://snomed.info/sct", "code": "77386006"},
            "present": True,
        },
    }
    made = crm.post(
        f"{API}/studies/{world.study_a.pk}/eligibility-criteria", body, content_type="application/json"
    )
    assert made.status_code == 201 and made.json()["rule_confirmed"] is False
    url = f"{API}/eligibility-criteria/{made.json()['id']}"
    changed = crm.patch(
        url, {"rule_confirmed": True, "reason": "checked", "version": 1}, content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["rule_confirmed"] is True
    assert crm.delete(f"{url}?reason=duplicate&version=2").status_code == 204


def test_the_pool_upload_list_and_approach(world, client_for, coordinator_a1):
    make_criteria(world.study_a, by=world.crm)
    client = client_for(coordinator_a1)
    content = pool_csv("C-1,1970-05-01,female,,,1@2025-01-02,2.0@2025-01-02")
    uploaded = client.post(
        f"{API}/study-sites/{world.site_a1.pk}/candidate-uploads",
        {"file": SimpleUploadedFile("pool.csv", content)},
    )
    assert uploaded.status_code == 201 and uploaded.json()["candidate_count"] == 1
    pool_id = uploaded.json()["pool_id"]
    listed = client.get(f"{API}/prescreening-pools/{pool_id}/candidates?status=eligible").json()
    assert listed["count"] == 1
    candidate = listed["items"][0]
    assert candidate["candidate"] == "C-1" and candidate["status"] == "eligible"
    assert set(candidate["criteria"][0]) == {"criterion_id", "label", "text", "result", "because"}
    approached = client.post(
        f"{API}/prescreening-candidates/{candidate['id']}/approach",
        {"screening_number": "S-1"},
        content_type="application/json",
    )
    assert approached.status_code == 200 and approached.json()["screening_number"] == "S-1"
    figures = client_for(world.sponsor_viewer).get(f"{API}/studies/{world.study_a.pk}/prescreening").json()
    assert figures["sites"][0]["eligible"] == 1 and figures["sites"][0]["approached"] == 1
    assert "C-1" not in json.dumps(figures)


def test_a_malformed_upload_answers_422_naming_each_entry(world, client_for, coordinator_a1):
    bundle = json.dumps(
        {"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Patient", "id": "bad id!"}}]}
    )
    response = client_for(coordinator_a1).post(
        f"{API}/study-sites/{world.site_a1.pk}/candidate-uploads",
        {"file": SimpleUploadedFile("b.json", bundle.encode())},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "file",
            "message": "b.json entry[0] (Patient): id must be a candidate key "
            "(letters, digits, . _ -, at most 64)",
        }
    ]
    assert not Candidate.objects.exists()


def test_candidates_are_404_to_the_sponsor_viewer_and_the_monitor(world, client_for, coordinator_a1):
    upload = make_pool(world.site_a1, by=coordinator_a1)
    for person in (world.sponsor_viewer, world.monitor):
        assert (
            client_for(person).get(f"{API}/prescreening-pools/{upload.pool_id}/candidates").status_code == 404
        )
