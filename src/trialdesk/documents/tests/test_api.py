"""The documents API: expected lists, uploads, versions, downloads; scoped, audited, fields named."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.writes import nothing_written
from trialdesk.core.models import AuditEvent
from trialdesk.documents import storage
from trialdesk.documents.models import Document
from trialdesk.documents.tests.factories import approve, file_pdf, pdf

API = "/api/v1"


def upload_form(world, **overrides) -> dict:
    form = {
        "level": "site",
        "artifact_number": "04.01.02",
        "study_site_id": world.site_a1.pk,
        "protocol_version_id": world.protocol_a.pk,
        "document_date": "2025-02-01",
        "expires_on": "2026-02-01",
        "file": SimpleUploadedFile("approval.pdf", pdf("approval"), content_type="application/pdf"),
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def test_upload_then_the_expected_document_is_present(world, client_for, clock):
    clock.move_to("2025-03-01T10:00Z")
    approve(world.protocol_a, by=world.admin)
    client = client_for(world.crm)
    response = client.post(f"{API}/studies/{world.study_a.pk}/documents", upload_form(world))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == "Ethics approval (protocol v1.0)"
    assert body["artifact_name"] == "IRB or IEC Decision"
    assert [v["number"] for v in body["versions"]] == [1]
    assert body["versions"][0]["sha256"] == storage.path_of(body["versions"][0]["sha256"]).name
    expected = client.get(
        f"{API}/studies/{world.study_a.pk}/expected-documents",
        {"study_site_id": world.site_a1.pk, "level": "site", "limit": 500},
    ).json()
    states = {item["title"]: item["state"] for item in expected["items"]}
    assert states["Ethics approval (protocol v1.0)"] == "present"
    assert states["Approved informed consent form"] == "missing"


BAD_UPLOADS = [
    # form changes -> field named
    (dict(artifact_number="77.01.01"), "artifact_number"),
    (dict(level="trial", study_site_id=None, artifact_number="05.02.08"), "level"),
    (dict(expires_on="2025-01-01"), "expires_on"),
    (dict(file=SimpleUploadedFile("virus.exe", b"MZ\x90\x00")), "file"),
    (dict(file=None), "file"),
    (dict(document_date="not a date"), "document_date"),
    (dict(study_site_id=999999), "study_site_id"),
]


def test_bad_uploads_answer_422_naming_the_field_and_keep_nothing(world, client_for, data_dir):
    client = client_for(world.crm)
    for changes, field in BAD_UPLOADS:
        response = client.post(f"{API}/studies/{world.study_a.pk}/documents", upload_form(world, **changes))
        assert response.status_code == 422, (changes, response.content)
        assert field in [e["field"] for e in response.json()["errors"]], (changes, response.json())
    assert Document.objects.count() == 0
    assert not any(p.is_file() for p in (data_dir / "documents").rglob("*"))


def test_an_upload_over_the_size_limit_answers_413_on_file(world, client_for, settings, data_dir):
    settings.DOCUMENT_MAX_BYTES = 50
    response = client_for(world.crm).post(f"{API}/studies/{world.study_a.pk}/documents", upload_form(world))
    assert response.status_code == 413
    assert response.json()["errors"] == [
        {"field": "file", "message": "The file is larger than the limit of 50 bytes."}
    ]
    assert not any(p.is_file() for p in (data_dir / "documents").rglob("*"))


def test_read_only_roles_may_not_upload_and_outsiders_see_nothing(world, client_for, data_dir):
    url = f"{API}/studies/{world.study_a.pk}/documents"
    with nothing_written():
        assert client_for(world.auditor).post(url, upload_form(world)).status_code == 403
        assert client_for(world.coordinator).post(url, upload_form(world)).status_code == 404
    assert not any(data_dir.rglob("*.*"))  # no file kept either
    assert (
        client_for(world.outsider).get(f"{API}/studies/{world.study_a.pk}/expected-documents").status_code
        == 404
    )


def test_the_monitor_of_a1_may_not_file_at_a2(world, client_for):
    response = client_for(world.monitor).post(
        f"{API}/studies/{world.study_a.pk}/documents", upload_form(world, study_site_id=world.site_a2.pk)
    )
    # A2 is outside the monitor's scope: named as an unknown site, not as a forbidden one.
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "study_site_id"


def test_new_version_download_and_its_audit_event(world, client_for):
    document = file_pdf(world.study_a, by=world.crm, artifact_number="05.02.12", study_site=world.site_a1)
    client = client_for(world.crm)
    response = client.post(
        f"{API}/documents/{document.pk}/versions",
        {"document_date": "2025-03-01", "file": SimpleUploadedFile("page-v2.pdf", pdf("v2"))},
    )
    assert response.status_code == 201, response.content
    second = response.json()
    assert (second["number"], second["current"]) == (2, True)
    detail = client.get(f"{API}/documents/{document.pk}").json()
    assert [(v["number"], v["current"]) for v in detail["versions"]] == [(1, False), (2, True)]
    download = client_for(world.auditor).get(second["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pdf("v2")
    assert download["X-Content-SHA256"] == second["sha256"]
    assert 'filename="page-v2.pdf"' in download["Content-Disposition"]
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor_username) == ("documentversion.downloaded", world.auditor.username)


def test_an_altered_file_is_not_served(world, client_for):
    document = file_pdf(world.study_a, by=world.crm, artifact_number="05.02.12", study_site=world.site_a1)
    version = document.versions.get()
    path = storage.path_of(version.sha256)
    path.write_bytes(path.read_bytes() + b"tampered")
    response = client_for(world.crm).get(f"{API}/document-files/{version.pk}")
    assert response.status_code == 409
    assert "altered" in response.json()["detail"]


def test_completeness_and_profile(world, client_for):
    client = client_for(world.crm)
    rows = client.get(f"{API}/studies/{world.study_a.pk}/document-completeness").json()["items"]
    assert rows[0]["label"] == "Whole study" and rows[0]["on_file"] == 0
    profile = client.get(f"{API}/tmf-profiles/{world.study_a.pk}").json()
    assert profile == {
        "study_id": world.study_a.pk,
        "us_ind": False,
        "local_laboratories": True,
        "expiry_warning_days": 60,
        "version": 0,
    }
    changed = client.patch(
        f"{API}/tmf-profiles/{world.study_a.pk}",
        {"local_laboratories": False, "reason": "central laboratory"},
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["version"] == 1
    stale = client.patch(
        f"{API}/tmf-profiles/{world.study_a.pk}",
        {"us_ind": True, "reason": "IND filed", "version": 7},
        content_type="application/json",
    )
    assert stale.status_code == 409


def test_patch_title_needs_version_and_reason(world, client_for):
    document = file_pdf(world.study_a, by=world.crm, artifact_number="05.02.12", study_site=world.site_a1)
    client = client_for(world.crm)
    url = f"{API}/documents/{document.pk}"
    missing = client.patch(url, {"title": "x"}, content_type="application/json")
    assert missing.status_code == 422
    ok = client.patch(
        url, {"title": "Signed page", "reason": "clearer", "version": 1}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["title"] == "Signed page"


def test_artifact_list_filters_by_level_and_search(world, client_for):
    client = client_for(world.coordinator)
    body = client.get(f"{API}/tmf-artifacts", {"level": "site", "search": "1572"}).json()
    assert [item["number"] for item in body["items"]] == ["05.02.08"]
    assert client.get(f"{API}/tmf-artifacts", {"limit": 500}).json()["count"] == 250


def test_site_staff_see_only_their_sites_documents(world, client_for):
    file_pdf(world.study_a, by=world.crm, artifact_number="05.02.12", study_site=world.site_a1, text="a1")
    file_pdf(world.study_a, by=world.crm, artifact_number="05.02.12", study_site=world.site_a2, text="a2")
    items = client_for(world.monitor).get(f"{API}/studies/{world.study_a.pk}/documents").json()["items"]
    assert {item["study_site_id"] for item in items} == {world.site_a1.pk}


def test_document_dates_are_dates(world, client_for):
    with nothing_written():
        response = client_for(world.crm).post(
            f"{API}/studies/{world.study_a.pk}/documents",
            upload_form(world, document_date="2025-02-30"),
        )
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["document_date"]


def test_expiring_within_n_days(world, client_for, clock):
    clock.move_to("2025-03-01T10:00Z")
    file_pdf(
        world.study_a,
        by=world.crm,
        artifact_number="08.01.01",
        study_site=world.site_a1,
        expires_on=dt.date(2025, 5, 1),
    )
    url = f"{API}/studies/{world.study_a.pk}/expected-documents"
    client = client_for(world.crm)
    soon = client.get(url, {"state": "expiring", "within_days": 90}).json()["items"]
    assert [item["title"] for item in soon] == ["Laboratory certification"]
    assert client.get(url, {"state": "expiring", "within_days": 30}).json()["count"] == 0
