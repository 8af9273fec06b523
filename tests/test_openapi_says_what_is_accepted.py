"""The OpenAPI document says what the API really accepts and answers (issue 12 §4): `reason` is required
where the service requires it, uploads document the 413 they answer when over the limit, and files and
FHIR resources are documented in their own media types."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.writes import nothing_written
from trialdesk.api import api
from trialdesk.core.apiutils import XLSX


@pytest.fixture(scope="module")
def document():
    return json.loads(json.dumps(api.get_openapi_schema()))  # as served: status codes as text


def operation(document, method: str, path: str) -> dict:
    return document["paths"][f"/api/v1{path}"][method]


def body_schema(document, op: dict) -> dict:
    reference = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return document["components"]["schemas"][reference.rsplit("/", 1)[-1]]


@pytest.mark.parametrize(
    "method, path",
    [
        ("patch", "/studies/{study_id}"),
        ("patch", "/arms/{arm_id}"),
        ("post", "/protocol-versions/{protocol_version_id}/transition"),
        ("post", "/participants/{participant_id}/transition"),
        ("patch", "/deviations/{deviation_id}"),
        ("post", "/adverse-events/{adverse_event_id}/versions"),
        ("post", "/participants/{participant_id}/unblind"),
    ],
)
def test_reason_is_required_where_the_service_requires_it(document, method, path):
    schema = body_schema(document, operation(document, method, path))
    assert "reason" in schema["required"] and schema["properties"]["reason"]["pattern"] == r"\S"


def test_a_delete_documents_its_required_reason(document):
    parameters = operation(document, "delete", "/arms/{arm_id}")["parameters"]
    reason = next(p for p in parameters if p["name"] == "reason")
    assert reason["required"] is True


def test_a_missing_reason_is_refused_in_the_services_words(world, client_for):
    arm = world.study_a.arms.get()
    with nothing_written():
        response = client_for(world.crm).patch(
            f"/api/v1/arms/{arm.pk}", json.dumps({"name": "B", "version": 1}), content_type="application/json"
        )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "reason", "message": "A reason for change is required."}]


@pytest.mark.parametrize(
    "method, path",
    [
        ("post", "/imports/institutions/preview"),
        ("post", "/imports/institutions/apply"),
        ("post", "/imports/sites/preview"),
        ("post", "/imports/sites/apply"),
        ("post", "/imports/ctgov"),
        ("post", "/studies/{study_id}/odm-imports"),
        ("post", "/studies/{study_id}/documents"),
        ("post", "/documents/{document_id}/versions"),
    ],
)
def test_uploads_document_413(document, method, path):
    assert "413" in operation(document, method, path)["responses"]


def test_an_import_over_the_limit_answers_413_naming_the_file(world, client_for, settings):
    settings.IMPORT_MAX_BYTES = 1000
    with nothing_written():
        response = client_for(world.crm).post(
            "/api/v1/imports/institutions/preview", {"file": SimpleUploadedFile("i.csv", b"x" * 5000)}
        )
    assert response.status_code == 413
    assert response.json()["errors"][0]["field"] == "file"


def test_a_document_over_the_limit_answers_413(world, client_for, settings):
    settings.DOCUMENT_MAX_BYTES = 50
    form = {
        "level": "trial",
        "artifact_number": "01.01.01",
        "file": SimpleUploadedFile("p.pdf", b"%PDF-" + b"x" * 500),
    }
    with nothing_written():
        response = client_for(world.crm).post(f"/api/v1/studies/{world.study_a.pk}/documents", form)
    assert response.status_code == 413
    assert response.json()["errors"] == [
        {"field": "file", "message": "The file is larger than the limit of 50 bytes."}
    ]


@pytest.mark.parametrize(
    "path, media_types",
    [
        ("/studies/{study_id}/line-listing", {"application/json", "text/csv", XLSX}),
        ("/fhir/ResearchStudy/{study_id}", {"application/fhir+json"}),
        ("/fhir/ResearchSubject/{participant_id}", {"application/fhir+json"}),
        ("/document-files/{document_version_id}", {"*/*"}),
    ],
)  # fmt: skip
def test_files_and_fhir_document_their_media_types(document, path, media_types):
    assert set(operation(document, "get", path)["responses"]["200"]["content"]) == media_types
