"""Reads of investigational product: always from what the user may see (`visible_to`), except the
study-wide facts other apps ask for (`received_site_ids`, `first_receipts`, `site_accounts`), which take a
study the caller has already scoped and return figures, never records."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.urls import reverse

from trialdesk.core.models import User
from trialdesk.studies.models import Study
from trialdesk.supply import rules
from trialdesk.supply.models import (
    Depot,
    Destruction,
    Dispensing,
    Excursion,
    ExcursionStatus,
    Kit,
    KitStatus,
    KitType,
    Lot,
    Product,
    ResupplyPlan,
    Shipment,
    ShipmentStatus,
    ShippingLane,
    VisitDispensing,
)


@dataclass(frozen=True)
class Receipt:
    """A site's first confirmed IP receipt: the start-up tracker's "IP and supplies received" record."""

    study_site_id: int
    received_on: dt.date
    shipment_number: str
    url: str


def received_site_ids(study: Study) -> set[int]:
    """The study's sites that confirmed the receipt of at least one IP shipment (not a participant's)."""
    return set(
        Shipment.objects.filter(study=study, status=ShipmentStatus.RECEIVED, to_participant__isnull=True)
        .values_list("study_site_id", flat=True)
        .distinct()
    )


def first_receipts(study: Study) -> dict[int, Receipt]:
    """Each site's first confirmed receipt of a shipment to the site (one query)."""
    found: dict[int, Receipt] = {}
    rows = (
        Shipment.objects.filter(study=study, status=ShipmentStatus.RECEIVED, to_participant__isnull=True)
        .order_by("received_on", "id")
        .values_list("pk", "study_site_id", "received_on", "number")
    )
    for pk, site_id, received_on, number in rows:
        if site_id not in found:
            url = reverse("supply_shipment_detail", kwargs={"shipment_id": pk})
            found[site_id] = Receipt(site_id, received_on, number, url)
    return found


def site_accounts(study: Study, study_site_ids=None) -> dict[int, rules.SiteAccount]:
    """Every kit sent to each site, by state (two queries): `reconciled` when all are accounted for,
    `closed_out` when, in addition, none is left at the site (close-out's "IP reconciled")."""
    kits = Kit.objects.filter(study=study, study_site__isnull=False)
    shipped = Shipment.objects.filter(study=study, to_participant__isnull=True)
    if study_site_ids is not None:
        kits = kits.filter(study_site_id__in=study_site_ids)
        shipped = shipped.filter(study_site_id__in=study_site_ids)
    by_site: dict[int, dict[str, int]] = {}
    for site_id, status, count in kits.values_list("study_site_id", "status").annotate(n=Count("id")):
        by_site.setdefault(site_id, {})[status] = count
    totals: dict[int, int] = {}
    for site_id, status, count in shipped.values_list("study_site_id", "status").annotate(n=Count("kits")):
        if status == ShipmentStatus.RECEIVED:
            totals[site_id] = totals.get(site_id, 0) + count
    accounts = {}
    for site_id in set(by_site) | set(totals):
        states = by_site.get(site_id, {})
        in_transit = states.pop(KitStatus.IN_TRANSIT, 0)
        counted = sum(states.values())
        received = totals.get(site_id, 0)
        accounts[site_id] = rules.SiteAccount(
            received=received,
            in_transit=in_transit,
            by_state=states,
            unaccounted=max(received - counted - in_transit, 0),
        )
    return accounts


def reconciled_site_ids(study: Study) -> set[int]:
    """Sites whose IP is reconciled and returned or destroyed: close-out's "IP reconciled" item."""
    return {site_id for site_id, account in site_accounts(study).items() if account.closed_out}


def products_for(user: User, study: Study) -> QuerySet[Product]:
    return Product.objects.visible_to(user).filter(study=study)


def kit_types_for(user: User, study: Study) -> QuerySet[KitType]:
    return KitType.objects.visible_to(user).filter(study=study).select_related("product", "arm")


def lots_for(user: User, study: Study) -> QuerySet[Lot]:
    return Lot.objects.visible_to(user).filter(study=study).select_related("product")


def depots_for(user: User, study: Study) -> QuerySet[Depot]:
    return Depot.objects.visible_to(user).filter(study=study)


@dataclass(frozen=True)
class PlanShown:
    """The study's resupply plan as readers see it; is_default when none is set (the rules' defaults)."""

    lead_time_days: int
    review_period_days: int
    is_default: bool


def resupply_plan_for(study: Study) -> PlanShown:
    """The study-level plan (no site data in it: every reader of the study sees it)."""
    plan = ResupplyPlan.objects.filter(study=study).first()
    if plan is None:
        return PlanShown(rules.DEFAULT_LEAD_TIME_DAYS, rules.DEFAULT_REVIEW_PERIOD_DAYS, is_default=True)
    return PlanShown(plan.lead_time_days, plan.review_period_days, is_default=False)


def lanes_for(user: User, study: Study) -> QuerySet[ShippingLane]:
    """The depot → site lead times at the sites in the user's scope."""
    return (
        ShippingLane.objects.visible_to(user)
        .filter(study=study)
        .select_related("depot", "study_site")
        .order_by("study_site__site_number", "depot__name")
    )


def visit_dispensings_for(user: User, study: Study) -> QuerySet[VisitDispensing]:
    return VisitDispensing.objects.visible_to(user).filter(study=study).select_related("visit_definition")


def shipments_for(user: User, study: Study | None = None) -> QuerySet[Shipment]:
    found = Shipment.objects.visible_to(user).select_related(
        "study", "study_site", "from_depot", "from_site", "to_participant"
    )
    return found if study is None else found.filter(study=study)


def kits_for(user: User, study: Study | None = None) -> QuerySet[Kit]:
    found = Kit.objects.visible_to(user).select_related("lot", "kit_type", "study_site", "depot")
    return found if study is None else found.filter(study=study)


def excursions_for(user: User, study: Study | None = None) -> QuerySet[Excursion]:
    found = Excursion.objects.visible_to(user).select_related("study", "study_site", "shipment", "decided_by")
    return found if study is None else found.filter(study=study)


def pending_excursions(user: User) -> QuerySet[Excursion]:
    return excursions_for(user).filter(status=ExcursionStatus.PENDING)


def destructions_for(user: User, study: Study) -> QuerySet[Destruction]:
    return Destruction.objects.visible_to(user).filter(study=study).select_related("study_site")


def dispensings_for(user: User, study: Study | None = None) -> QuerySet[Dispensing]:
    found = Dispensing.objects.visible_to(user).select_related("kit", "participant", "study_site", "kit__lot")
    return found if study is None else found.filter(study=study)


def shipments_to_confirm(user: User) -> QuerySet[Shipment]:
    """Shipments on their way to a site the user works at (what site staff confirm)."""
    return shipments_for(user).filter(status=ShipmentStatus.SHIPPED, to_participant__isnull=True)
