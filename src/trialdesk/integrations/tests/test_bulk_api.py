"""The bulk import API: preview writes nothing, apply is all or nothing, errors name row and column."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from trialdesk.core.services import create_api_token
from trialdesk.integrations.tests.bulk_factories import INSTITUTION_HEADER, SITE_HEADER, xlsx_bytes
from trialdesk.sites.models import Institution, StudySite

SITES = xlsx_bytes(SITE_HEADER, ("103", "Tokyo Medical", "Tokyo", "Dr Sato", "Selected", None, 12))


def post(client, url, content, name="sites.xlsx", **fields):
    return client.post(url, {"file": SimpleUploadedFile(name, content), **fields})


def test_preview_answers_the_plan_and_writes_nothing(world, client_for):
    response = post(client_for(world.crm), "/api/v1/imports/sites/preview", SITES, study_id=world.study_a.pk)
    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["can_apply"], body["applied"]) == (1, True, False)
    assert body["rows"][0]["label"] == "Site 103 (Tokyo Medical, Tokyo)"
    assert {"field": "Status", "old": "", "new": "Selected"} in body["rows"][0]["changes"]
    assert not StudySite.objects.filter(site_number="103").exists()


def test_apply_writes_everything(world, client_for):
    response = post(client_for(world.crm), "/api/v1/imports/sites/apply", SITES, study_id=world.study_a.pk)
    assert response.status_code == 200 and response.json()["applied"] is True
    assert StudySite.objects.get(study=world.study_a, site_number="103").status == "selected"


def test_apply_with_a_bad_row_answers_422_naming_row_and_column_and_writes_nothing(world, client_for):
    content = xlsx_bytes(
        SITE_HEADER,
        ("103", "Tokyo Medical", "Tokyo", "", "", None, 12),
        ("104", "Tokyo Medical", "Tokyo", "", "", "31/12/2025", 12),
    )
    response = post(client_for(world.crm), "/api/v1/imports/sites/apply", content, study_id=world.study_a.pk)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "planned_activation_on",
            "message": "sites.xlsx row 3, column Planned activation: '31/12/2025' is not a date; "
            "use a date cell or YYYY-MM-DD, e.g. 2025-03-31",
        }
    ]
    assert not StudySite.objects.filter(site_number__in=["103", "104"]).exists()


def test_a_missing_column_is_named(world, client_for):
    content = xlsx_bytes(("Name", "City"), ("Charité", "Berlin"))
    response = post(client_for(world.crm), "/api/v1/imports/institutions/apply", content, name="i.xlsx")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["country", "time_zone"]


def test_institutions_are_imported_with_an_api_token(world, client):
    token, secret = create_api_token(user=world.crm, name="bulk", by=world.crm)
    content = xlsx_bytes(INSTITUTION_HEADER, ("Charité", "", "Berlin", "DE", "Europe/Berlin"))
    response = client.post(
        "/api/v1/imports/institutions/apply",
        {"file": SimpleUploadedFile("i.xlsx", content)},
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 200, response.content
    assert Institution.objects.filter(name="Charité").exists()


def test_a_study_out_of_scope_is_404_and_a_read_only_role_403(world, client_for):
    url = "/api/v1/imports/sites/preview"
    assert post(client_for(world.crm), url, SITES, study_id=world.study_b.pk).status_code == 404
    assert post(client_for(world.admin), url, SITES, study_id=world.study_b.pk).status_code == 200
    assert post(client_for(world.auditor), url, SITES, study_id=world.study_a.pk).status_code == 403
    assert post(client_for(world.outsider), url, SITES, study_id=world.study_a.pk).status_code == 403


@pytest.mark.parametrize(
    ("fields", "field"),
    [({}, "study_id"), ({"study_id": "abc"}, "study_id")],
)
def test_study_id_is_required_for_sites(world, client_for, fields, field):
    response = post(client_for(world.crm), "/api/v1/imports/sites/preview", SITES, **fields)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == field


def test_missing_and_oversized_files_are_refused_naming_the_file_field(world, client_for, settings):
    client = client_for(world.crm)
    response = client.post("/api/v1/imports/institutions/preview", {})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "file"
    settings.IMPORT_MAX_BYTES = 1000
    response = post(client, "/api/v1/imports/institutions/preview", b"x" * 5000, name="i.xlsx")
    assert response.status_code == 413  # as the OpenAPI document says
    assert response.json()["errors"][0]["field"] == "file"
    assert "too large" in response.json()["errors"][0]["message"]
