"""The samples pages: collection by site staff at their own site, shipping refused without a permit with
the error on the field, the shipment page hiding samples from sponsor viewers, the Excel export, the
study tab and site panel, and "my work"."""

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from trialdesk.core import work
from trialdesk.core.roles import Role
from trialdesk.core.services import assign_role
from trialdesk.samples.models import Sample
from trialdesk.samples.tests.factories import make_permit, make_shipment
from trialdesk.samples.tests.test_services import build_samples_world


@pytest.fixture
def pages(world, client_for):
    return build_samples_world(world), client_for


def test_site_staff_record_a_sample_at_their_own_site_only(pages):
    (world, site_cn, _, _, serum, participant_cn, visit_cn, participant_a1, visit_a1), client_for = pages
    assign_role(user=world.coordinator, role=Role.COORDINATOR, study_site=world.site_a1, by=world.admin)
    coordinator = client_for(world.coordinator)
    url = f"/study-sites/{world.site_a1.pk}/samples/collect/"
    form = {
        "participant": participant_a1.pk,
        "scheduled_visit": visit_a1.pk,
        "sample_type": serum.pk,
        "barcode": "PAGE-1",
        "collected_at": "2026-03-01T09:30",
    }
    assert coordinator.get(url).status_code == 200
    assert coordinator.post(url, form).status_code == 302
    sample = Sample.objects.get(barcode="PAGE-1")
    assert sample.collected_by == world.coordinator and sample.collected_at.tzinfo is not None
    assert coordinator.get(f"/study-sites/{site_cn.pk}/samples/collect/").status_code == 404
    assert client_for(world.monitor).post(url, form | {"barcode": "PAGE-2"}).status_code == 403


def test_shipping_without_the_permit_shows_the_error_on_the_field(pages):
    (world, site_cn, lab_us, *_), client_for = pages
    crm = client_for(world.crm)
    url = f"/study-sites/{site_cn.pk}/samples/ship/"
    page = crm.get(url)
    assert page.status_code == 200 and "CN-1" in page.content.decode()
    form = {
        "laboratory": lab_us.pk,
        "barcodes": "CN-1\nCN-2",
        "tracking_number": "1Z",
        "shipped_at": (timezone.now() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "temperature_log": "",
    }
    refused = crm.post(url, form)
    assert refused.status_code == 200
    assert "HGRAC" in str(refused.context["form"].errors["export_permit"])
    bad_log = crm.post(url, form | {"temperature_log": "2026-03-01T10:00, cold"})
    assert "Line 1" in str(bad_log.context["form"].errors["temperature_log"])


def test_shipment_page_export_tab_panel_and_work(pages, clock):
    (world, site_cn, lab_us, *_), client_for = pages
    permit = make_permit(
        world.study_a, by=world.admin, valid_until=timezone.now().date() + dt.timedelta(days=30)
    )
    shipment = make_shipment(site_cn, lab_us, ["CN-1", "CN-2"], by=world.admin, export_permit=permit)
    crm, sponsor = client_for(world.crm), client_for(world.sponsor_viewer)
    detail = f"/sample-shipments/{shipment.pk}/"
    assert "CN-1" in crm.get(detail).content.decode()
    hidden = sponsor.get(detail).content.decode()
    assert "CN-1" not in hidden and "Hidden" in hidden
    receipt = crm.post(
        f"/sample-shipments/{shipment.pk}/receipt/",
        {"received": "CN-1\nCN-9", "received_at": timezone.now().strftime("%Y-%m-%dT%H:%M")},
    )
    assert "CN-9" in str(receipt.context["form"].errors["received"])
    assert sponsor.post(f"/sample-shipments/{shipment.pk}/receipt/", {"reason": "x"}).status_code == 403
    export = crm.get(f"/studies/{world.study_a.pk}/samples/export/")
    book = openpyxl.load_workbook(io.BytesIO(export.content))
    assert book.sheetnames == ["Shipments", "Reconciliation", "Discrepancies"]
    assert book["Shipments"]["A2"].value == "SHP-001"
    blind = openpyxl.load_workbook(
        io.BytesIO(sponsor.get(f"/studies/{world.study_a.pk}/samples/export/").content)
    )
    assert blind.sheetnames == ["Shipments", "Reconciliation"]
    tab = crm.get(f"/studies/{world.study_a.pk}/?tab=samples").content.decode()
    assert "SHP-001" in tab and "ends within 60 days" in tab
    assert 'id="site-samples"' in crm.get(f"/study-sites/{site_cn.pk}/").content.decode()
    kinds = {item.kind for item in work.work_for(world.crm, clock.today())}
    assert {"sample_receipts", "sample_permits"} <= kinds
