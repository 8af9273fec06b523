"""Builders for supply tests: a study's product, kit types per arm, lots, a depot with kits, and records
written directly through the audited write path (for scoping tests, which need them fast)."""

import datetime as dt

from trialdesk.core.models import User
from trialdesk.core.records import create_record, update_record
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study
from trialdesk.subjects.models import Participant
from trialdesk.supply import services
from trialdesk.supply.models import Depot, Dispensing, Excursion, Kit, KitType, Lot, Product, Shipment

SOON = dt.date(2030, 1, 1)


def activate(site: StudySite, *, by: User, on: dt.date = dt.date(2025, 1, 10)) -> StudySite:
    """The site as activated (written directly: the start-up gates are not under test here)."""
    return update_record(site, changes={"status": "enrolling", "activated_on": on}, by=by, reason="test")


def make_supplies(study: Study, *, by: User, kits_per_type: int = 6, expires_on: dt.date = SOON) -> Depot:
    """Product P (2–8 °C), kit types KT-<arm code> for each arm, lot L1, depot D with kits K-<arm>-NNN."""
    product = create_record(
        Product(study=study, code="P", name="Drug or placebo", storage_min_c=2, storage_max_c=8), by=by
    )
    lot = create_record(
        Lot(study=study, product=product, number=f"L1-{study.code}", expires_on=expires_on, storage_min_c=2,
            storage_max_c=8),
        by=by,
    )  # fmt: skip
    depot = create_record(Depot(study=study, name=f"Depot {study.code}", country="DE"), by=by)
    for arm in list(study.arms.order_by("code")) or [None]:  # a study without arms: one kit type, no arm
        code = arm.code if arm else "X"
        kit_type = create_record(
            KitType(
                study=study, product=product, code=f"KT-{code}", name="Bottle", units_per_kit=30, arm=arm
            ),
            by=by,
        )
        for n in range(1, kits_per_type + 1):
            number = f"{study.code}-K-{code}{n:03d}"
            create_record(Kit(study=study, kit_type=kit_type, lot=lot, number=number, depot=depot), by=by)
    return depot


def ship_and_receive(
    study: Study, site: StudySite, *, by: User, kits: dict, on=dt.date(2025, 2, 1)
) -> Shipment:
    depot = Depot.objects.get(study=study)
    shipment = services.ship_to_site(
        study=study, by=by, depot=depot, study_site=site, kits=kits, shipped_on=on
    )
    return services.confirm_receipt(
        shipment=shipment, by=by, received_on=on, kits_received=shipment.kits_shipped
    )


def make_dispensing(participant: Participant, kit: Kit, *, by: User) -> Dispensing:
    """A dispensing written directly (the scoping test needs the record, not the allocation rule)."""
    kit = update_record(kit, changes={"status": "dispensed"}, by=by, reason="test")
    return create_record(
        Dispensing(study=participant.study, study_site=participant.study_site, participant=participant,
                   kit=kit, dispensed_on=dt.date(2025, 2, 2), dispensed_by=by),
        by=by,
    )  # fmt: skip


def make_excursion(study: Study, site: StudySite | None, *, by: User) -> Excursion:
    return create_record(
        Excursion(study=study, study_site=site, detected_on=dt.date(2025, 2, 3), temperature_min_c=2,
                  temperature_max_c=12, description="fridge door open"),
        by=by,
    )  # fmt: skip


def make_shipment(
    study: Study, site: StudySite, *, by: User, participant: Participant | None = None
) -> Shipment:
    depot = Depot.objects.get(study=study)
    return create_record(
        Shipment(study=study, number=f"SHP-{Shipment.objects.filter(study=study).count() + 1:04d}",
                 from_depot=depot, study_site=site, to_participant=participant,
                 shipped_on=dt.date(2025, 2, 1)),
        by=by,
    )  # fmt: skip
