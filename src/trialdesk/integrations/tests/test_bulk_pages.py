"""The bulk import pages: upload, preview (nothing written), confirm (all or nothing), templates."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from tests.writes import nothing_written
from trialdesk.core.models import AuditEvent
from trialdesk.integrations.tests.bulk_factories import INSTITUTION_HEADER, SITE_HEADER, csv_bytes, xlsx_bytes
from trialdesk.sites.models import Institution, StudySite


@pytest.fixture
def uploads(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path / "uploads"


def upload(client, url, content, name="sites.xlsx", **fields):
    return client.post(url, {"file": SimpleUploadedFile(name, content), **fields})


def token_of(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def test_preview_shows_creates_and_changes_and_writes_nothing_until_confirmed(world, client_for, uploads):
    client = client_for(world.crm)
    content = xlsx_bytes(
        SITE_HEADER,
        ("103", "Tokyo Medical", "Tokyo", "Dr Sato", "Selected", None, 12),
        ("101", "", "", "Dr New", "", None, 20),
    )
    events = AuditEvent.objects.count()
    response = upload(client, "/imports/sites/", content, study=world.study_a.pk)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Site 103 (Tokyo Medical, Tokyo)" in page and "Dr PI 101 → Dr New" in page
    assert "each on the audit trail: Under feasibility → Selected." in page
    assert "Confirm import" in page
    assert AuditEvent.objects.count() == events
    assert len(list(uploads.iterdir())) == 1

    token = token_of(response)
    response = client.post("/imports/confirm/", {"token": token})
    assert response.status_code == 302
    assert response["Location"] == f"/studies/{world.study_a.pk}/?tab=sites"
    assert StudySite.objects.get(study=world.study_a, site_number="103").status == "selected"
    assert StudySite.objects.get(pk=world.site_a1.pk).principal_investigator == "Dr New"
    assert list(uploads.iterdir()) == []  # the kept file is gone
    # The same preview cannot be confirmed twice.
    assert client.post("/imports/confirm/", {"token": token}).status_code == 400


def test_every_bad_row_is_shown_and_there_is_nothing_to_confirm(world, client_for, uploads):
    content = xlsx_bytes(
        SITE_HEADER,
        ("103", "Nowhere", "Oz", "", "", None, 1),
        ("104", "Tokyo Medical", "Tokyo", "", "", "soon", 1),
    )
    response = upload(client_for(world.crm), "/imports/sites/", content, study=world.study_a.pk)
    page = response.content.decode()
    assert "2 problems" in page
    assert "no institution named &#x27;Nowhere&#x27; in Oz" in page
    assert "&#x27;soon&#x27; is not a date" in page
    assert "Confirm import" not in page
    assert not uploads.exists() or list(uploads.iterdir()) == []


def test_a_confirmation_token_is_signed_and_bound_to_its_user(world, client_for, uploads):
    content = xlsx_bytes(INSTITUTION_HEADER, ("Charité", "", "Berlin", "DE", "Europe/Berlin"))
    response = upload(client_for(world.crm), "/imports/institutions/", content, name="i.xlsx")
    token = token_of(response)
    assert client_for(world.crm).post("/imports/confirm/", {"token": token + "x"}).status_code == 400
    assert client_for(world.admin).post("/imports/confirm/", {"token": token}).status_code == 400
    assert not Institution.objects.filter(name="Charité").exists()
    assert client_for(world.crm).post("/imports/confirm/", {"token": token}).status_code == 302
    assert Institution.objects.filter(name="Charité").exists()


def test_a_file_that_became_bad_since_the_preview_is_refused_whole(world, client_for, uploads):
    content = xlsx_bytes(
        SITE_HEADER,
        ("103", "Tokyo Medical", "Tokyo", "", "", None, 1),
        ("101", "", "", "", "Start-up", None, 1),
    )
    client = client_for(world.crm)
    response = upload(client, "/imports/sites/", content, study=world.study_a.pk)
    StudySite.objects.filter(pk=world.site_a1.pk).update(status="closed")
    response = client.post("/imports/confirm/", {"token": token_of(response)})
    assert response.status_code == 422
    assert "A site that is closed cannot change status." in response.content.decode()
    assert not StudySite.objects.filter(site_number="103").exists()


def test_sites_are_imported_only_into_studies_the_user_manages(world, client_for, uploads):
    content = xlsx_bytes(SITE_HEADER, ("203", "Tokyo Medical", "Tokyo", "", "", None, 1))
    response = upload(client_for(world.crm), "/imports/sites/", content, study=world.study_b.pk)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert "CARD-B" not in client_for(world.crm).get("/imports/sites/").content.decode()


@pytest.mark.parametrize("person", ["monitor", "auditor", "sponsor_viewer", "coordinator", "outsider"])
def test_people_who_do_not_set_up_studies_cannot_import(world, client_for, person, uploads):
    client = client_for(getattr(world, person))
    assert client.get("/imports/").status_code == 403
    content = xlsx_bytes(INSTITUTION_HEADER, ("Charité", "", "Berlin", "DE", "Europe/Berlin"))
    with nothing_written():
        assert upload(client, "/imports/institutions/", content, name="i.xlsx").status_code == 403
        assert client.post("/imports/confirm/", {"token": "x"}).status_code == 403
    assert not Institution.objects.filter(name="Charité").exists()


def test_a_huge_upload_is_refused_before_it_is_read_naming_the_field(world, client_for, settings, uploads):
    settings.IMPORT_MAX_BYTES = 100_000
    client = client_for(world.crm)
    response = client.post(
        "/imports/institutions/",
        data=b"x",
        content_type="multipart/form-data; boundary=B",
        CONTENT_LENGTH=str(500 * 1024 * 1024),
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert 'id="id_file_error"' in page and "the limit is 0.095" in page


def test_an_upload_over_the_limit_without_a_declared_size_is_cut_off(world, client_for, settings, uploads):
    settings.IMPORT_MAX_BYTES = 1000
    response = upload(client_for(world.crm), "/imports/institutions/", b"x" * 5000, name="i.csv")
    assert response.status_code in (400, 413)
    assert "too large" in response.content.decode()


def test_a_csv_upload_goes_through_the_same_preview(world, client_for, uploads):
    content = csv_bytes("Name;City;Country;Time zone\nKlinikum Süd;München;Germany;Europe/Berlin\n", bom=True)
    response = upload(client_for(world.crm), "/imports/institutions/", content, name="i.csv")
    assert "Klinikum Süd, München (DE)" in response.content.decode()


def test_templates_have_a_header_drop_down_lists_and_instructions(world, client_for):
    response = client_for(world.crm).get("/imports/sites/template.xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="trialdesk-sites-template.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Sites", "Lists", "Instructions"]
    sheet = workbook["Sites"]
    assert [c.value for c in sheet[1]][:3] == ["Site number", "Institution id", "Institution"]
    assert sheet.freeze_panes == "A2"
    [validation] = sheet.data_validations.dataValidation
    assert validation.formula1 == "Lists!$A$2:$A$11" and "F2" in str(validation.sqref)
    assert workbook["Lists"].sheet_state == "hidden"
    assert sheet["A2"].number_format == "@"  # text, so Excel keeps 01-02 as typed
    csv_text = client_for(world.crm).get("/imports/institutions/template.csv").content.decode("utf-8")
    assert csv_text.startswith("\ufeffInstitution id,Name,Department,City")


def test_the_import_page_offers_both_imports_to_a_crm(world, client_for):
    page = client_for(world.crm).get("/imports/").content.decode()
    assert "Import institutions" in page and "Import study sites" in page
    assert "ONC-A" in page


def test_uploads_and_confirmations_need_the_csrf_token(world, uploads):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.crm)
    page = client.get("/imports/institutions/").content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    content = xlsx_bytes(INSTITUTION_HEADER, ("Charité", "", "Berlin", "DE", "Europe/Berlin"))
    with nothing_written():
        assert upload(client, "/imports/institutions/", content, name="i.xlsx").status_code == 403
        response = upload(client, "/imports/institutions/", content, name="i.xlsx", csrfmiddlewaretoken=csrf)
        assert response.status_code == 200  # the preview writes nothing
        token = token_of(response)
        assert client.post("/imports/confirm/", {"token": token}).status_code == 403
    assert client.post("/imports/confirm/", {"token": token, "csrfmiddlewaretoken": csrf}).status_code == 302
    assert Institution.objects.get(name="Charité").city == "Berlin"
