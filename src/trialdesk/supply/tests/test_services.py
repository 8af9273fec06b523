"""Supply services: shipping, receipt, excursions and their decisions, dispensing to the participant's arm
without unblinding, returns, destruction, accountability; and bad input refused with nothing saved."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.writes import nothing_written
from trialdesk.core.models import AuditEvent
from trialdesk.randomization.models import Allocation
from trialdesk.supply import selectors, services
from trialdesk.supply.models import Destruction, Kit, KitStatus
from trialdesk.supply.tests.factories import ship_and_receive

DAY = dt.date(2025, 2, 1)
WARM = "time,temperature_c\n2025-02-01T08:00Z,5.0\n2025-02-01T12:00Z,11.5\n"


def field_of(error: ValidationError) -> set[str]:
    return set(error.value.message_dict)


def test_receipt_makes_kits_available_and_dispensing_gives_the_participants_arm(ip):
    """The system allocates a kit of the kit type of the participant's arm; the coordinator never chooses."""
    world = ip.world
    ship_and_receive(world.study_a, world.site_a1, by=ip.supply_manager, kits={"KT-A": 2, "KT-B": 2})
    assert Kit.objects.filter(study_site=world.site_a1, status=KitStatus.AVAILABLE).count() == 4
    for participant in ip.randomized:
        dispensing = services.dispense_kit(
            participant=participant, by=ip.trial.coordinator_a1, dispensed_on=DAY
        )
        arm = Allocation.objects.get(participant=participant).arm
        assert dispensing.kit.kit_type.arm == arm
        assert dispensing.kit.status == KitStatus.DISPENSED
    assert AuditEvent.objects.filter(object_type="supply.dispensing").count() == 2
    assert selectors.received_site_ids(world.study_a) == {world.site_a1.pk}
    assert selectors.first_receipts(world.study_a)[world.site_a1.pk].received_on == DAY


def test_a_participant_not_randomized_gets_no_kit(ip):
    ship_and_receive(ip.world.study_a, ip.world.site_a1, by=ip.supply_manager, kits={"KT-A": 1})
    with nothing_written(), pytest.raises(ValidationError) as error:
        services.dispense_kit(participant=ip.not_randomized, by=ip.trial.coordinator_a1, dispensed_on=DAY)
    assert field_of(error) == {"participant"}
    assert "not randomized" in str(error.value)


def test_a_quarantined_expired_or_out_of_date_kit_is_never_dispensed(ip):
    ship_and_receive(ip.world.study_a, ip.world.site_a1, by=ip.supply_manager, kits={"KT-A": 3, "KT-B": 3})
    kits = list(Kit.objects.filter(study_site=ip.world.site_a1).select_related("lot").order_by("number"))
    for kit, status in zip(kits, (KitStatus.QUARANTINED, KitStatus.EXPIRED), strict=False):
        Kit.objects.filter(pk=kit.pk).update(status=status)  # the state under test, set directly
    after_expiry = kits[2].lot.expires_on + dt.timedelta(days=1)
    for kit, day, words in (
        (kits[0], DAY, "quarantined"),
        (kits[1], DAY, "expired"),
        (kits[2], after_expiry, "expired"),
    ):
        with nothing_written(), pytest.raises(ValidationError) as error:
            services.dispense_kit(
                participant=ip.randomized[0],
                by=ip.trial.coordinator_a1,
                dispensed_on=day,
                kit_number=kit.number,
            )
        assert field_of(error) == {"kit_number"}
        assert words in str(error.value)


def test_a_receipt_of_more_kits_than_shipped_is_refused(ip):
    world = ip.world
    shipment = services.ship_to_site(
        study=world.study_a, by=ip.supply_manager, depot=ip.depot, study_site=world.site_a1,
        kits={"KT-A": 2}, shipped_on=DAY,
    )  # fmt: skip
    with nothing_written(), pytest.raises(ValidationError) as error:
        services.confirm_receipt(
            shipment=shipment, by=ip.trial.coordinator_a1, received_on=DAY, kits_received=3
        )
    assert field_of(error) == {"kits_received"}
    assert "only 2" in str(error.value)


def test_a_shipment_to_a_site_not_activated_is_refused(ip):
    world = ip.world
    with nothing_written(), pytest.raises(ValidationError) as error:
        services.ship_to_site(
            study=world.study_a, by=ip.supply_manager, depot=ip.depot, study_site=world.site_a2,
            kits={"KT-A": 1}, shipped_on=DAY,
        )  # fmt: skip
    assert field_of(error) == {"study_site"}
    assert "not activated" in str(error.value)


def test_missing_kits_are_named_and_recorded_lost(ip):
    world = ip.world
    shipment = services.ship_to_site(
        study=world.study_a, by=ip.supply_manager, depot=ip.depot, study_site=world.site_a1,
        kits={"KT-A": 2}, shipped_on=DAY,
    )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        services.confirm_receipt(
            shipment=shipment, by=ip.trial.coordinator_a1, received_on=DAY, kits_received=1
        )
    assert field_of(error) == {"missing_kit_numbers"}
    lost = shipment.kits.order_by("number").first().number
    services.confirm_receipt(
        shipment=shipment,
        by=ip.trial.coordinator_a1,
        received_on=DAY,
        kits_received=1,
        missing_kit_numbers=[lost],
    )
    assert Kit.objects.get(number=lost).status == KitStatus.LOST
    account = selectors.site_accounts(world.study_a)[world.site_a1.pk]
    assert (account.received, account.by_state, account.reconciled) == (2, {"available": 1, "lost": 1}, True)


def test_only_the_sites_own_staff_confirm_its_receipt(ip):
    world = ip.world
    shipment = services.ship_to_site(
        study=world.study_a, by=ip.supply_manager, depot=ip.depot, study_site=world.site_a1,
        kits={"KT-A": 1}, shipped_on=DAY,
    )  # fmt: skip
    for outsider in (world.coordinator, world.monitor, world.auditor):
        with nothing_written(), pytest.raises(PermissionDenied):
            services.confirm_receipt(shipment=shipment, by=outsider, received_on=DAY, kits_received=1)


def test_a_warm_temperature_log_quarantines_until_a_named_decision(ip):
    """Logged up to 11.5 °C against a 2–8 °C lot: an excursion; destroyed by the supply manager's decision,
    with a destruction record; the decision and its reason are on the audit trail."""
    world = ip.world
    shipment = services.ship_to_site(
        study=world.study_a, by=ip.supply_manager, depot=ip.depot, study_site=world.site_a1,
        kits={"KT-A": 2}, shipped_on=DAY,
    )  # fmt: skip
    services.confirm_receipt(
        shipment=shipment, by=ip.trial.coordinator_a1, received_on=DAY, kits_received=2, temperature_log=WARM
    )
    excursion = shipment.excursions.get()
    assert set(shipment.kits.values_list("status", flat=True)) == {KitStatus.QUARANTINED}
    with pytest.raises(PermissionDenied):
        services.decide_excursion(
            excursion=excursion, by=ip.trial.coordinator_a1, decision="released", reason="ok", decided_on=DAY
        )
    services.decide_excursion(
        excursion=excursion, by=ip.supply_manager, decision="destroyed",
        reason="stability data do not cover 11.5 °C", decided_on=DAY, method="incineration",
    )  # fmt: skip
    assert set(shipment.kits.values_list("status", flat=True)) == {KitStatus.DESTROYED}
    assert Destruction.objects.get().kits.count() == 2
    event = AuditEvent.objects.get(object_type="supply.excursion", action="excursion.decided")
    assert event.actor_id == ip.supply_manager.pk and "11.5" in event.reason


def test_a_released_excursion_makes_the_kits_available_again(ip):
    world = ip.world
    ship_and_receive(world.study_a, world.site_a1, by=ip.supply_manager, kits={"KT-A": 2})
    excursion = services.record_excursion(
        study_site=world.site_a1, by=ip.trial.coordinator_a1, detected_on=DAY, temperature_min_c=1,
        temperature_max_c=9, description="fridge door left open for 20 minutes",
    )  # fmt: skip
    assert excursion.kits.filter(status=KitStatus.QUARANTINED).count() == 2
    services.decide_excursion(
        excursion=excursion,
        by=ip.supply_manager,
        decision="released",
        reason="within stability data",
        decided_on=DAY,
    )
    assert Kit.objects.filter(study_site=world.site_a1, status=KitStatus.AVAILABLE).count() == 2


def test_returns_count_compliance_and_refuse_more_units_than_a_kit_holds(ip):
    world = ip.world
    ship_and_receive(world.study_a, world.site_a1, by=ip.supply_manager, kits={"KT-A": 2, "KT-B": 2})
    dispensing = services.dispense_kit(
        participant=ip.randomized[0], by=ip.trial.coordinator_a1, dispensed_on=DAY
    )
    later = DAY + dt.timedelta(days=28)
    with nothing_written(), pytest.raises(ValidationError) as error:
        services.record_return(
            dispensing=dispensing, by=ip.trial.coordinator_a1, returned_on=later, units_returned=31
        )
    assert field_of(error) == {"units_returned"}
    services.record_return(
        dispensing=dispensing,
        by=ip.trial.coordinator_a1,
        returned_on=later,
        units_returned=3,
        units_expected_taken=28,
    )
    dispensing.refresh_from_db()
    from trialdesk.supply.views.display import compliance

    assert compliance(dispensing) == 96  # (30 − 3) / 28 = 96.4 %
    assert dispensing.kit.status == KitStatus.RETURNED


def test_a_direct_to_participant_shipment_is_dispensed_on_delivery(ip):
    world = ip.world
    shipment = services.ship_to_participant(
        participant=ip.randomized[0], by=ip.supply_manager, depot=ip.depot, shipped_on=DAY, kits=2,
        courier="MediCourier", tracking_number="MC1",
    )  # fmt: skip
    services.confirm_receipt(shipment=shipment, by=ip.trial.coordinator_a1, received_on=DAY, kits_received=2)
    dispensings = ip.randomized[0].ip_dispensings.all()
    assert dispensings.count() == 2
    arm = Allocation.objects.get(participant=ip.randomized[0]).arm
    assert {d.kit.kit_type.arm for d in dispensings} == {arm}
    assert world.site_a1.pk not in selectors.received_site_ids(world.study_a)  # a participant's delivery
