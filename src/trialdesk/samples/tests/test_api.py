"""The samples API: bad input answers 422 naming the field with nothing saved; subject-blind callers get
counts, never a sample; a cross-border shipment with its permit through to the receipt."""

import datetime as dt

import pytest
from django.utils import timezone

from trialdesk.core.models import AuditEvent
from trialdesk.samples.models import Shipment
from trialdesk.samples.tests.factories import make_permit
from trialdesk.samples.tests.test_services import build_samples_world


@pytest.fixture
def api_world(world, client_for):
    return build_samples_world(world), client_for


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def fields(response) -> set:
    return {error["field"] for error in response.json()["errors"]}


def test_collect_for_a_participant_of_another_site_is_422_naming_participant_id(api_world):
    (world, site_cn, _, _, serum, participant_cn, visit_cn, *_), client_for = api_world
    crm = client_for(world.crm)
    events = AuditEvent.objects.count()
    body = {
        "participant_id": participant_cn.pk,
        "scheduled_visit_id": visit_cn.pk,
        "sample_type_id": serum.pk,
        "barcode": "API-1",
        "collected_at": timezone.now().isoformat(),
    }
    refused = post(crm, f"/api/v1/study-sites/{world.site_a1.pk}/samples", body)
    assert refused.status_code == 422 and fields(refused) == {"participant_id"}
    naive = post(
        crm, f"/api/v1/study-sites/{site_cn.pk}/samples", body | {"collected_at": "2026-01-01T10:00:00"}
    )
    assert naive.status_code == 422 and fields(naive) == {"collected_at"}
    assert AuditEvent.objects.count() == events
    made = post(crm, f"/api/v1/study-sites/{site_cn.pk}/samples", body)
    assert made.status_code == 201 and made.json()["participant_number"] == "301-001"


def test_shipment_permit_and_receipt_through_the_api(api_world):
    (world, site_cn, lab_us, *_), client_for = api_world
    crm = client_for(world.crm)
    body = {
        "laboratory_id": lab_us.pk,
        "barcodes": ["CN-1", "CN-2"],
        "tracking_number": "1Z-API",
        "shipped_at": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
        "temperature_log": [{"at": timezone.now().isoformat(), "celsius": "-50"}],
    }
    url = f"/api/v1/study-sites/{site_cn.pk}/sample-shipments"
    refused = post(crm, url, body)
    assert refused.status_code == 422 and fields(refused) == {"export_permit_id"}
    assert not Shipment.objects.exists()
    permit = post(
        crm,
        f"/api/v1/studies/{world.study_a.pk}/sample-permits",
        {
            "direction": "export",
            "from_country": "CN",
            "to_country": "US",
            "authority": "HGRAC",
            "number": "API-1",
            "valid_from": "2026-01-01",
            "valid_until": (timezone.now().date() + dt.timedelta(days=30)).isoformat(),
        },
    )
    assert permit.status_code == 201 and permit.json()["expiring_within_60_days"] is True
    shipped = post(crm, url, body | {"export_permit_id": permit.json()["id"]})
    assert shipped.status_code == 201, shipped.content
    shipment = shipped.json()
    assert shipment["route"] == "CN → US" and shipment["sample_count"] == 2
    assert len(shipment["temperature_excursions"]) == 1  # -50 °C is above serum's -60 °C
    again = post(crm, url, body | {"export_permit_id": permit.json()["id"]})
    assert again.status_code == 422 and "already in shipment" in again.json()["errors"][0]["message"]
    receipt_url = f"/api/v1/sample-shipments/{shipment['id']}/receipt"
    stranger = post(
        crm, receipt_url, {"received": [{"barcode": "CN-3"}], "received_at": timezone.now().isoformat()}
    )
    assert stranger.status_code == 422 and fields(stranger) == {"received"}
    done = post(
        crm, receipt_url, {"received": [{"barcode": "CN-1"}], "received_at": timezone.now().isoformat()}
    )
    assert done.status_code == 200 and done.json()["received_count"] == 1
    sponsor = client_for(world.sponsor_viewer)
    seen = sponsor.get(f"/api/v1/sample-shipments/{shipment['id']}").json()
    assert seen["items"] is None and seen["sample_count"] == 2 and "CN-1" not in str(seen)
    reconciled = sponsor.get(f"/api/v1/studies/{world.study_a.pk}/sample-reconciliation").json()
    row = next(r for r in reconciled["sites"] if r["study_site_id"] == site_cn.pk)
    assert reconciled["subject_hidden"] and row["discrepancy_count"] == 1 and row["discrepancies"] is None
    hidden = sponsor.get(f"/api/v1/studies/{world.study_a.pk}/samples")
    assert hidden.status_code == 403 and hidden.json()["detail"].startswith("Hidden: ")  # not `count: 0`
    crm_row = next(
        r
        for r in crm.get(f"/api/v1/studies/{world.study_a.pk}/sample-reconciliation").json()["sites"]
        if r["study_site_id"] == site_cn.pk
    )
    assert [d["barcode"] for d in crm_row["discrepancies"]] == ["CN-2"]


def test_an_expired_permit_is_refused_naming_the_field(api_world):
    (world, site_cn, lab_us, *_), client_for = api_world
    expired = make_permit(world.study_a, by=world.admin, valid_until=dt.date(2026, 1, 31))
    response = post(
        client_for(world.crm),
        f"/api/v1/study-sites/{site_cn.pk}/sample-shipments",
        {
            "laboratory_id": lab_us.pk,
            "barcodes": ["CN-1"],
            "tracking_number": "1Z",
            "shipped_at": timezone.now().isoformat(),
            "export_permit_id": expired.pk,
        },
    )
    assert response.status_code == 422 and fields(response) == {"export_permit_id"}
    assert "expired on 2026-01-31" in response.json()["errors"][0]["message"]


def test_laboratories_and_sample_types_through_the_api(api_world):
    (world, *_), client_for = api_world
    crm = client_for(world.crm)
    labs = f"/api/v1/studies/{world.study_a.pk}/sample-laboratories"
    bad = post(crm, labs, {"name": "Lab Nowhere", "country": "XX"})
    assert bad.status_code == 422 and fields(bad) == {"country"}
    made = post(crm, labs, {"name": "Lab Lyon", "country": "fr"})
    assert made.status_code == 201 and made.json()["country"] == "FR"
    types = f"/api/v1/studies/{world.study_a.pk}/sample-types"
    upside_down = post(
        crm, types, {"code": "WB", "name": "Whole blood", "storage_min_c": "8", "storage_max_c": "2"}
    )
    assert upside_down.status_code == 422 and fields(upside_down) == {"storage_max_c"}
    assert (
        post(
            client_for(world.auditor),
            types,
            {"code": "WB", "name": "x", "storage_min_c": 2, "storage_max_c": 8},
        ).status_code
        == 403
    )
    assert crm.get(types).json()["count"] == 1
