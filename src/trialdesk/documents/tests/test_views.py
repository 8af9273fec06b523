"""The documents pages: the study tab, the expected list, filing (artifact picker), versions, downloads."""

from django.core.files.uploadedfile import SimpleUploadedFile

from trialdesk.core.models import AuditEvent
from trialdesk.documents import storage
from trialdesk.documents.models import Document
from trialdesk.documents.tests.factories import approve, file_pdf, pdf


def test_documents_tab_shows_completeness_and_what_is_missing(world, client_for):
    version = approve(world.protocol_a, by=world.admin)
    file_pdf(
        world.study_a,
        by=world.crm,
        artifact_number="04.01.02",
        study_site=world.site_a1,
        protocol_version=version,
    )
    body = client_for(world.crm).get(f"/studies/{world.study_a.pk}/?tab=documents").content.decode()
    assert "Completeness" in body and "Whole study" in body
    assert "Site 101 (DE)" in body and "Site 102 (JP)" in body
    assert "Ethics approval (protocol v1.0)" in body  # missing at 102
    assert "File a document" in body


def test_documents_tab_site_filter_and_site_staff_scope(world, client_for):
    approve(world.protocol_a, by=world.admin)
    body = client_for(world.monitor).get(f"/studies/{world.study_a.pk}/?tab=documents").content.decode()
    assert "Site 101" in body and "Site 102" not in body
    filtered = (
        client_for(world.crm)
        .get(f"/studies/{world.study_a.pk}/?tab=documents&site={world.site_a2.pk}")
        .content.decode()
    )
    assert f'site={world.site_a2.pk}">Site 102 (JP)</a>' in filtered
    assert f'site={world.site_a1.pk}">Site 101 (DE)</a>' not in filtered


def test_expected_list_links_each_missing_document_to_a_prefilled_filing_form(world, client_for):
    approve(world.protocol_a, by=world.admin)
    client = client_for(world.crm)
    body = client.get(f"/studies/{world.study_a.pk}/documents/?state=missing").content.decode()
    assert f"artifact=04.01.02&amp;site={world.site_a1.pk}&amp;version={world.protocol_a.pk}" in body
    form = client.get(
        f"/studies/{world.study_a.pk}/documents/file/?level=site&artifact=04.01.02&site={world.site_a1.pk}"
    ).content.decode()
    assert '<option value="04.01.02" selected>04.01.02 IRB or IEC Decision</option>' in form
    assert 'optgroup label="04 IRB or IEC and other Approvals' in form


def test_filing_through_the_page_then_a_new_version_and_a_download(world, client_for, data_dir):
    client = client_for(world.crm)
    response = client.post(
        f"/studies/{world.study_a.pk}/documents/file/",
        {
            "level": "site",
            "artifact_number": "05.02.12",
            "study_site": world.site_a1.pk,
            "document_date": "2025-02-01",
            "file": SimpleUploadedFile("page.pdf", pdf("page")),
        },
    )
    document = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/documents/{document.pk}/"
    client.post(
        f"/documents/{document.pk}/versions/new/",
        {"document_date": "2025-03-01", "file": SimpleUploadedFile("page2.pdf", pdf("page2"))},
    )
    detail = client.get(f"/documents/{document.pk}/").content.decode()
    assert "page2.pdf" in detail and "superseded" in detail
    latest = document.versions.get(number=2)
    download = client.get(f"/document-versions/{latest.pk}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == pdf("page2")
    assert AuditEvent.objects.latest("id").action == "documentversion.downloaded"
    trail = client.get(f"/documents/{document.pk}/").content.decode()
    assert trail.count("documentversion.downloaded") == 1 and "document.created" in trail


def test_a_refused_filing_shows_the_error_on_its_field_and_keeps_nothing(world, client_for, data_dir):
    response = client_for(world.crm).post(
        f"/studies/{world.study_a.pk}/documents/file/",
        {
            "level": "site",
            "artifact_number": "05.02.12",
            "study_site": world.site_a1.pk,
            "document_date": "2025-02-01",
            "expires_on": "2025-01-01",
            "file": SimpleUploadedFile("page.pdf", pdf("page")),
        },
    )
    assert response.status_code == 200
    assert "The expiry date is before the document&#x27;s date." in response.content.decode()
    assert Document.objects.count() == 0
    assert not any(p.is_file() for p in (data_dir / "documents").rglob("*"))


def test_an_altered_file_is_reported_on_the_page_not_served(world, client_for):
    document = file_pdf(world.study_a, by=world.crm, artifact_number="05.02.12", study_site=world.site_a1)
    version = document.versions.get()
    storage.path_of(version.sha256).write_bytes(b"%PDF-1.4 replaced")
    response = client_for(world.crm).get(f"/document-versions/{version.pk}/download/")
    assert response.status_code == 409
    assert "altered" in response.content.decode()


def test_read_only_roles_see_documents_but_cannot_file(world, client_for):
    document = file_pdf(world.study_a, by=world.crm, artifact_number="05.02.12", study_site=world.site_a1)
    auditor = client_for(world.auditor)
    assert auditor.get(f"/documents/{document.pk}/").status_code == 200
    assert "File a new version" not in auditor.get(f"/documents/{document.pk}/").content.decode()
    assert auditor.get(f"/studies/{world.study_a.pk}/documents/file/").status_code == 403
    assert auditor.post(f"/documents/{document.pk}/versions/new/", {}).status_code == 403
    assert client_for(world.coordinator).get(f"/documents/{document.pk}/").status_code == 404
