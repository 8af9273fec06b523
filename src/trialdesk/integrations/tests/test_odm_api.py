"""POST /api/v1/studies/{study_id}/odm-imports: the CLI import's checks over HTTP, scoped, all or nothing."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from trialdesk.integrations.tests.test_odm_import import XXE, clinical, event, subject, visit
from trialdesk.interop.odm import MAX_BYTES
from trialdesk.visits.tests.factories import build_visit_world


@pytest.fixture
def visits(world):
    return build_visit_world(world)


def upload(client, study_id, data: bytes, *, query="", **extra):
    return client.post(
        f"/api/v1/studies/{study_id}/odm-imports{query}",
        {"file": SimpleUploadedFile("edc.xml", data, content_type="application/xml")},
        **extra,
    )


def test_import_records_the_visits(visits, world, client_for):
    data = clinical(subject("101-001", event("SE.W2", "2025-03-18")))
    response = upload(client_for(world.crm), world.study_a.pk, data)
    assert response.status_code == 200, response.content
    assert response.json() | {"warnings": []} == {
        "dry_run": False,
        "subjects": 1,
        "visits_recorded": 1,
        "visits_planned": 1,
        "visits_unchanged": 0,
        "status_changes": 0,
        "status_changes_planned": 0,
        "warnings": [],
    }
    assert visit(visits.participant_a1, "W2").done_on == dt.date(2025, 3, 18)


def test_dry_run_changes_nothing(visits, world, client_for):
    data = clinical(subject("101-001", event("SE.W2", "2025-03-18")))
    response = upload(client_for(world.crm), world.study_a.pk, data, query="?dry_run=true")
    assert response.json()["visits_planned"] == 1 and response.json()["visits_recorded"] == 0
    assert visit(visits.participant_a1, "W2").status == "scheduled"


def test_problems_are_422_naming_the_xpath(visits, world, client_for):
    data = clinical(
        subject("101-001", event("SE.W2", "2025-03-18")), subject("999", event("SE.W2", "2025-03-18"))
    )
    response = upload(client_for(world.crm), world.study_a.pk, data)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "edc.xml: 1 problem(s) in the file; nothing was changed."
    assert body["errors"] == [
        {
            "field": "/ODM/ClinicalData[1]/SubjectData[2]/@SubjectKey",
            "message": "no participant '999' in study ONC-A that you can see; map the SubjectKey in the "
            "mapping file if it differs.",
        }
    ]
    assert visit(visits.participant_a1, "W2").status == "scheduled"


def test_doctype_is_422(visits, world, client_for):
    response = upload(client_for(world.crm), world.study_a.pk, XXE)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "line 1"


def test_oversize_body_is_413_from_its_declared_length(visits, world, client_for):
    response = upload(
        client_for(world.crm), world.study_a.pk, b"<ODM/>", CONTENT_LENGTH=str(500 * 1024 * 1024)
    )
    assert response.status_code == 413
    assert f"the limit is {MAX_BYTES:,} bytes" in response.json()["detail"]


def test_missing_file_is_422(visits, world, client_for):
    response = client_for(world.crm).post(f"/api/v1/studies/{world.study_a.pk}/odm-imports")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"


@pytest.mark.parametrize("who", ["auditor", "sponsor_viewer", "monitor"])
def test_people_who_may_not_record_visits_get_403(visits, world, client_for, who):
    data = clinical(subject("101-001", event("SE.W2", "2025-03-18")))
    assert upload(client_for(getattr(world, who)), world.study_a.pk, data).status_code == 403


def test_out_of_scope_is_404(visits, world, client_for):
    data = clinical(subject("101-001", event("SE.W2", "2025-03-18")))
    assert upload(client_for(world.coordinator), world.study_a.pk, data).status_code == 404
