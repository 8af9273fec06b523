"""The samples services: collection, shipment under permits, custody, receipt and reconciliation; each
refusal names its field and saves nothing (no record, no audit event)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.factories import make_institution, make_participant, make_site
from trialdesk.core.models import AuditEvent
from trialdesk.core.roles import Role
from trialdesk.core.services import assign_role
from trialdesk.samples import selectors, services
from trialdesk.samples.models import Sample, Shipment, ShipmentItem
from trialdesk.samples.tests.factories import (
    make_laboratory,
    make_permit,
    make_sample,
    make_sample_type,
    make_shipment,
    make_visit,
)


@pytest.fixture
def samples_world(world):
    return build_samples_world(world)


def build_samples_world(world):
    """Study A with a site in China (301) shipping to a US laboratory, and site A1 (Germany)."""
    admin = world.admin
    study = world.study_a
    site_cn = make_site(
        study,
        "301",
        by=admin,
        institution=make_institution(
            "Peking Hospital", by=admin, country="CN", time_zone="Asia/Shanghai", city="Beijing"
        ),
    )
    lab_us = make_laboratory(study, by=admin, name="Central Lab Indianapolis", country="US")
    lab_de = make_laboratory(study, by=admin)
    serum = make_sample_type(study, by=admin)
    participant_cn = make_participant(site_cn, "301-001", by=admin)
    participant_a1 = make_participant(world.site_a1, "101-001", by=admin)
    visit_cn = make_visit(participant_cn, by=admin)
    visit_a1 = make_visit(participant_a1, by=admin)
    for number in (1, 2, 3):
        make_sample(participant_cn, visit_cn, serum, by=admin, barcode=f"CN-{number}")
    make_sample(participant_a1, visit_a1, serum, by=admin, barcode="DE-1")
    return world, site_cn, lab_us, lab_de, serum, participant_cn, visit_cn, participant_a1, visit_a1


def nothing_saved(before_events: int, before_shipments: int) -> bool:
    return AuditEvent.objects.count() == before_events and Shipment.objects.count() == before_shipments


def test_collection_for_a_participant_not_at_that_site_is_refused_naming_participant(samples_world):
    world, site_cn, _, _, serum, participant_cn, visit_cn, *_ = samples_world
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.collect_sample(
            study_site=world.site_a1,
            participant=participant_cn,
            scheduled_visit=visit_cn,
            sample_type=serum,
            barcode="X-1",
            collected_at=timezone.now(),
            by=world.admin,
        )
    assert "participant" in refused.value.message_dict
    assert "301-001" in refused.value.message_dict["participant"][0]
    with pytest.raises(ValidationError) as twice:
        make_sample(participant_cn, visit_cn, serum, by=world.admin, barcode="CN-1")
    assert "already recorded" in twice.value.message_dict["barcode"][0]
    assert AuditEvent.objects.count() == events and not Sample.objects.filter(barcode="X-1").exists()


def test_collection_is_site_staff_of_their_own_site_only(samples_world):
    world, site_cn, _, _, serum, participant_cn, visit_cn, *_ = samples_world
    assign_role(user=world.coordinator, role=Role.COORDINATOR, study_site=world.site_a1, by=world.admin)
    with pytest.raises(PermissionDenied):
        make_sample(participant_cn, visit_cn, serum, by=world.coordinator, barcode="X-2")
    with pytest.raises(PermissionDenied):
        make_sample(participant_cn, visit_cn, serum, by=world.sponsor_viewer, barcode="X-3")


def test_a_cross_border_shipment_needs_a_valid_permit(samples_world):
    world, site_cn, lab_us, *_ = samples_world
    events, shipments = AuditEvent.objects.count(), Shipment.objects.count()
    with pytest.raises(ValidationError) as refused:
        make_shipment(site_cn, lab_us, ["CN-1"], by=world.admin)
    assert list(refused.value.message_dict) == ["export_permit"]
    assert "HGRAC" in refused.value.message_dict["export_permit"][0]
    expired = make_permit(world.study_a, by=world.admin, number="OLD", valid_until=dt.date(2026, 1, 31))
    events, shipments = AuditEvent.objects.count(), Shipment.objects.count()
    with pytest.raises(ValidationError) as lapsed:
        make_shipment(site_cn, lab_us, ["CN-1"], by=world.admin, export_permit=expired)
    assert "expired on 2026-01-31" in lapsed.value.message_dict["export_permit"][0]
    assert nothing_saved(events, shipments)
    permit = make_permit(
        world.study_a, by=world.admin, valid_until=timezone.now().date() + dt.timedelta(days=90)
    )
    shipment = make_shipment(site_cn, lab_us, ["CN-1", "CN-2"], by=world.admin, export_permit=permit)
    assert shipment.number == "SHP-001" and shipment.items.count() == 2
    assert selectors.unshipped_counts(world.study_a) == {site_cn.pk: 1, world.site_a1.pk: 1}


def test_shipping_a_sample_twice_or_from_another_site_is_refused(samples_world):
    world, site_cn, lab_us, lab_de, *_ = samples_world
    permit = make_permit(
        world.study_a, by=world.admin, valid_until=timezone.now().date() + dt.timedelta(days=90)
    )
    make_shipment(site_cn, lab_us, ["CN-1"], by=world.admin, export_permit=permit)
    events, shipments = AuditEvent.objects.count(), Shipment.objects.count()
    for barcodes, words in (
        (["CN-1"], "already in shipment SHP-001"),
        (["CN-2", "CN-2"], "listed twice"),
        (["DE-1"], "collected at site 101"),
        (["NOPE"], "No sample NOPE"),
    ):
        with pytest.raises(ValidationError) as refused:
            make_shipment(site_cn, lab_us, barcodes, by=world.admin, export_permit=permit)
        assert words in refused.value.message_dict["barcodes"][0]
    assert nothing_saved(events, shipments)
    # Within the EU no permit is needed.
    assert make_shipment(world.site_a1, lab_de, ["DE-1"], by=world.admin).number == "SHP-002"


def test_receipt_reconciles_and_refuses_samples_not_in_the_shipment(samples_world):
    world, site_cn, lab_us, *_ = samples_world
    permit = make_permit(
        world.study_a, by=world.admin, valid_until=timezone.now().date() + dt.timedelta(days=90)
    )
    shipment = make_shipment(site_cn, lab_us, ["CN-1", "CN-2", "CN-3"], by=world.admin, export_permit=permit)
    services.add_custody_transfer(
        shipment=shipment,
        by=world.admin,
        handed_over_at=timezone.now(),
        from_party="Courier",
        to_party="Lab reception",
        location="Indianapolis",
    )
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.record_receipt(
            shipment=shipment,
            by=world.crm,
            received={"CN-1": "good", "DE-1": "good"},
            received_at=timezone.now(),
        )
    assert "DE-1" in refused.value.message_dict["received"][0]
    assert AuditEvent.objects.count() == events
    assert not ShipmentItem.objects.filter(received__isnull=False).exists()
    with pytest.raises(PermissionDenied):
        services.record_receipt(
            shipment=shipment, by=world.monitor, received={"CN-1": "good"}, received_at=timezone.now()
        )
    services.record_receipt(
        shipment=shipment,
        by=world.crm,
        received={"CN-1": "good", "CN-2": "thawed"},
        received_at=timezone.now(),
        received_by="R. Lab",
    )
    found = selectors.reconciliation(world.crm, world.study_a)
    row = next(r for r in found.rows if r.study_site == site_cn)
    assert (row.counts.collected, row.counts.shipped, row.counts.received) == (3, 3, 2)
    assert sorted((d.barcode, d.state) for d in row.discrepancies) == [
        ("CN-2", "received_not_good"),
        ("CN-3", "not_received"),
    ]
    blind = selectors.reconciliation(world.sponsor_viewer, world.study_a)
    blind_row = next(r for r in blind.rows if r.study_site == site_cn)
    assert blind.subject_hidden and blind_row.counts.received == 2 and blind_row.discrepancies == ()
    assert not selectors.samples_for(world.sponsor_viewer, world.study_a).exists()
    with pytest.raises(ValidationError, match="already recorded"):
        services.record_receipt(
            shipment=shipment, by=world.crm, received={"CN-1": "good"}, received_at=timezone.now()
        )
