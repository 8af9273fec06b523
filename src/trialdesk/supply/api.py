"""The supply API: a study's products, kit types (the arm only to unblinded readers), lots, depots, the
kits the visits dispense, kits, shipments and receipts, excursions and their decisions, destructions,
dispensing and returns (subject-level: never to subject-blind roles), accountability and the forecast.
Reads start from what the user may see (404 outside it); writes ask the permission question first, so a
read-only role hears 403 rather than a complaint about its input."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Status

from trialdesk.core.apiutils import (
    READ_ERRORS,
    WRITE_ERRORS,
    PageQuery,
    actor,
    page_schema,
    paginate,
    referenced,
    visible_or_404,
    with_errors,
)
from trialdesk.core.permissions import can_see_subject_level, require
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Arm, Study
from trialdesk.subjects.models import Participant
from trialdesk.supply import forecast, permissions, rules, selectors, services
from trialdesk.supply.models import (
    Depot,
    Dispensing,
    Excursion,
    Kit,
    KitType,
    ResupplyPlan,
    Shipment,
    ShippingLane,
)
from trialdesk.supply.permissions import ONLY_SITE_STAFF, ONLY_SUPPLY_MANAGERS
from trialdesk.supply.schemas import (
    AccountOut,
    DepotIn,
    DepotOut,
    DestructionIn,
    DestructionOut,
    DispenseIn,
    DispensingOut,
    ExcursionIn,
    ExcursionOut,
    ForecastQuery,
    IpDecisionIn,
    IpForecastOut,
    IpParticipantShipmentIn,
    IpReceiptIn,
    IpShipmentIn,
    IpShipmentOut,
    KitFilters,
    KitOut,
    KitsIn,
    KitTypeIn,
    KitTypeOut,
    LotIn,
    LotOut,
    ProductIn,
    ProductOut,
    ResupplyPlanIn,
    ResupplyPlanOut,
    ReturnIn,
    ShippingLaneIn,
    VisitDispensingIn,
    VisitDispensingOut,
)
from trialdesk.supply.views.display import account_row, compliance
from trialdesk.visits.models import ScheduledVisit, VisitDefinition

router = Router(tags=["supply"])


def _manager(request, study: Study):
    user = actor(request)
    require(permissions.can_manage_supply(user, study.pk), ONLY_SUPPLY_MANAGERS)
    return user


def kit_type_out(kit_type: KitType, sees_arms: bool) -> dict:
    return {
        **{n: getattr(kit_type, n) for n in ("id", "product_id", "code", "name", "units_per_kit")},
        "arm_code": kit_type.arm.code if sees_arms and kit_type.arm_id else None,
        "arm_hidden": not sees_arms,
    }


def kit_out(kit: Kit, sees_arms: bool) -> dict:
    names = ("id", "number", "status", "depot_id", "study_site_id", "shipment_id")
    return {
        **{n: getattr(kit, n) for n in names},
        "lot_number": kit.lot.number,
        "expires_on": kit.lot.expires_on,
        "kit_type_code": kit.kit_type.code if sees_arms else None,
    }


def shipment_out(shipment: Shipment, sees_participants: bool) -> dict:
    names = (
        "id number status from_depot_id from_site_id study_site_id courier tracking_number shipped_on "
        "kits_shipped received_on kits_received temperature_min_c temperature_max_c version"
    ).split()
    participant = shipment.to_participant
    return {
        **{n: getattr(shipment, n) for n in names},
        "site_number": shipment.study_site.site_number,
        "direct_to_participant": shipment.direct_to_participant,
        "participant_number": participant.number if participant and sees_participants else None,
    }


def excursion_out(excursion: Excursion) -> dict:
    names = (
        "id study_site_id shipment_id detected_on temperature_min_c temperature_max_c description status "
        "decided_on decision_reason version"
    ).split()
    return {
        **{n: getattr(excursion, n) for n in names},
        "decided_by": excursion.decided_by.username if excursion.decided_by_id else None,
        "kits": excursion.kits.count(),
    }


def dispensing_out(dispensing: Dispensing) -> dict:
    names = ("id", "participant_id", "dispensed_on", "returned_on", "units_returned")
    return {
        **{n: getattr(dispensing, n) for n in names},
        "kit_number": dispensing.kit.number,
        "compliance_percent": compliance(dispensing),
    }


@router.get(
    "/studies/{study_id}/supply/products", response=with_errors({200: page_schema(ProductOut)}, READ_ERRORS)
)
def list_ip_products(request, study_id: int, page: Query[PageQuery]):
    study = visible_or_404(request, Study, study_id)
    return paginate(selectors.products_for(actor(request), study), page)


@router.post("/studies/{study_id}/supply/products", response=with_errors({201: ProductOut}, WRITE_ERRORS))
def create_ip_product(request, study_id: int, payload: ProductIn):
    study = visible_or_404(request, Study, study_id)
    user = _manager(request, study)
    return Status(201, services.create_product(study=study, by=user, **payload.model_dump()))


@router.get(
    "/studies/{study_id}/supply/kit-types", response=with_errors({200: page_schema(KitTypeOut)}, READ_ERRORS)
)
def list_kit_types(request, study_id: int, page: Query[PageQuery]):
    """Kit types; the arm each treats only for readers who see the study's arms (unblinded or open-label)."""
    study = visible_or_404(request, Study, study_id)
    sees = permissions.sees_kit_arms(actor(request), study)
    found = paginate(selectors.kit_types_for(actor(request), study), page)
    return {**found, "items": [kit_type_out(t, sees) for t in found["items"]]}


@router.post("/studies/{study_id}/supply/kit-types", response=with_errors({201: KitTypeOut}, WRITE_ERRORS))
def create_kit_type(request, study_id: int, payload: KitTypeIn):
    study = visible_or_404(request, Study, study_id)
    user = _manager(request, study)
    values = payload.model_dump(exclude={"product_id", "arm_id"})
    product = referenced(selectors.products_for(user, study), payload.product_id, field="product_id")
    arm = referenced(Arm.objects.filter(study=study), payload.arm_id, field="arm_id")
    kit_type = services.create_kit_type(study=study, by=user, product=product, arm=arm, **values)
    return Status(201, kit_type_out(kit_type, permissions.sees_kit_arms(user, study)))


@router.get("/studies/{study_id}/supply/lots", response=with_errors({200: page_schema(LotOut)}, READ_ERRORS))
def list_ip_lots(request, study_id: int, page: Query[PageQuery]):
    study = visible_or_404(request, Study, study_id)
    return paginate(selectors.lots_for(actor(request), study), page)


@router.post("/studies/{study_id}/supply/lots", response=with_errors({201: LotOut}, WRITE_ERRORS))
def create_ip_lot(request, study_id: int, payload: LotIn):
    study = visible_or_404(request, Study, study_id)
    user = _manager(request, study)
    product = referenced(selectors.products_for(user, study), payload.product_id, field="product_id")
    lot = services.create_lot(
        study=study, by=user, product=product, **payload.model_dump(exclude={"product_id"})
    )
    return Status(201, lot)


@router.get(
    "/studies/{study_id}/supply/depots", response=with_errors({200: page_schema(DepotOut)}, READ_ERRORS)
)
def list_depots(request, study_id: int, page: Query[PageQuery]):
    study = visible_or_404(request, Study, study_id)
    return paginate(selectors.depots_for(actor(request), study), page)


@router.post("/studies/{study_id}/supply/depots", response=with_errors({201: DepotOut}, WRITE_ERRORS))
def create_depot(request, study_id: int, payload: DepotIn):
    study = visible_or_404(request, Study, study_id)
    user = _manager(request, study)
    return Status(201, services.create_depot(study=study, by=user, **payload.model_dump()))


@router.get(
    "/studies/{study_id}/supply/visit-dispensing",
    response=with_errors({200: page_schema(VisitDispensingOut)}, READ_ERRORS),
)
def list_visit_dispensing(request, study_id: int, page: Query[PageQuery]):
    """How many kits each visit of the schedule dispenses (what the forecast reads)."""
    study = visible_or_404(request, Study, study_id)
    found = paginate(selectors.visit_dispensings_for(actor(request), study), page)
    return {**found, "items": [visit_dispensing_out(row) for row in found["items"]]}


def visit_dispensing_out(row) -> dict:
    definition = row.visit_definition
    return {"visit_definition_id": definition.pk, "visit_code": definition.code,
            "day_offset": definition.day_offset, "kits": row.kits}  # fmt: skip


@router.put(
    "/studies/{study_id}/supply/visit-dispensing",
    response=with_errors({200: VisitDispensingOut}, WRITE_ERRORS),
)
def set_visit_dispensing(request, study_id: int, payload: VisitDispensingIn):
    study = visible_or_404(request, Study, study_id)
    user = _manager(request, study)
    definitions = VisitDefinition.objects.filter(protocol_version__study=study)
    definition = referenced(definitions, payload.visit_definition_id, field="visit_definition_id")
    row = services.set_visit_dispensing(
        study=study, by=user, visit_definition=definition, kits=payload.kits, reason=payload.reason
    )
    return {**visit_dispensing_out(row), "kits": payload.kits}


def resupply_plan_out(user, study: Study) -> dict:
    plan = ResupplyPlan.objects.filter(study=study).first()
    lanes = ShippingLane.objects.visible_to(user).filter(study=study).select_related("depot", "study_site")
    return {
        "lead_time_days": rules.DEFAULT_LEAD_TIME_DAYS if plan is None else plan.lead_time_days,
        "review_period_days": rules.DEFAULT_REVIEW_PERIOD_DAYS if plan is None else plan.review_period_days,
        "is_default": plan is None,
        "lanes": [
            {
                "depot_id": lane.depot_id,
                "depot": lane.depot.name,
                "study_site_id": lane.study_site_id,
                "site": lane.study_site.site_number,
                "lead_time_days": lane.lead_time_days,
            }
            for lane in lanes
        ],  # fmt: skip
    }


@router.get(
    "/studies/{study_id}/supply/resupply-plan", response=with_errors({200: ResupplyPlanOut}, READ_ERRORS)
)
def get_resupply_plan(request, study_id: int):
    """The lead time and review period the forecast's suggested shipments cover, and the lanes."""
    study = visible_or_404(request, Study, study_id)
    return resupply_plan_out(actor(request), study)


@router.put(
    "/studies/{study_id}/supply/resupply-plan", response=with_errors({200: ResupplyPlanOut}, WRITE_ERRORS)
)
def set_resupply_plan(request, study_id: int, payload: ResupplyPlanIn):
    study = visible_or_404(request, Study, study_id)
    user = _manager(request, study)
    services.set_resupply_plan(study=study, by=user, **payload.model_dump())
    return resupply_plan_out(user, study)


@router.put("/studies/{study_id}/supply/lanes", response=with_errors({200: ResupplyPlanOut}, WRITE_ERRORS))
def set_shipping_lane(request, study_id: int, payload: ShippingLaneIn):
    """One depot → site lead time (created or changed); answers the whole plan."""
    study = visible_or_404(request, Study, study_id)
    user = _manager(request, study)
    depot = referenced(Depot.objects.filter(study=study), payload.depot_id, field="depot_id")
    site = referenced(StudySite.objects.filter(study=study), payload.study_site_id, field="study_site_id")
    services.set_shipping_lane(
        study=study, by=user, depot=depot, study_site=site, lead_time_days=payload.lead_time_days,
        reason=payload.reason,
    )  # fmt: skip
    return resupply_plan_out(user, study)


@router.get("/studies/{study_id}/supply/kits", response=with_errors({200: page_schema(KitOut)}, READ_ERRORS))
def list_kits(request, study_id: int, filters: Query[KitFilters]):
    """Kits by number; blinded readers see numbers, states and lots, never kit types."""
    study = visible_or_404(request, Study, study_id)
    user = actor(request)
    kits = selectors.kits_for(user, study)
    if filters.study_site_id:
        kits = kits.filter(study_site_id=filters.study_site_id)
    if filters.status:
        kits = kits.filter(status=filters.status)
    found = paginate(kits, filters)
    sees = permissions.sees_kit_arms(user, study)
    return {**found, "items": [kit_out(k, sees) for k in found["items"]]}


@router.post("/studies/{study_id}/supply/kits", response=with_errors({201: list[KitOut]}, WRITE_ERRORS))
def register_kits(request, study_id: int, payload: KitsIn):
    """Kits received at a depot, available there."""
    study = visible_or_404(request, Study, study_id)
    user = _manager(request, study)
    kits = services.register_kits(
        study=study, by=user, numbers=payload.numbers,
        depot=referenced(selectors.depots_for(user, study), payload.depot_id, field="depot_id"),
        lot=referenced(selectors.lots_for(user, study), payload.lot_id, field="lot_id"),
        kit_type=referenced(selectors.kit_types_for(user, study), payload.kit_type_id, field="kit_type_id"),
    )  # fmt: skip
    sees = permissions.sees_kit_arms(user, study)
    return Status(201, [kit_out(k, sees) for k in Kit.objects.filter(pk__in=[k.pk for k in kits])])


@router.get(
    "/studies/{study_id}/supply/shipments",
    response=with_errors({200: page_schema(IpShipmentOut)}, READ_ERRORS),
)
def list_ip_shipments(request, study_id: int, page: Query[PageQuery]):
    study = visible_or_404(request, Study, study_id)
    user = actor(request)
    found = paginate(selectors.shipments_for(user, study), page)
    sees = can_see_subject_level(user, study.pk)
    return {**found, "items": [shipment_out(s, sees) for s in found["items"]]}


@router.post("/studies/{study_id}/supply/shipments", response=with_errors({201: IpShipmentOut}, WRITE_ERRORS))
def ship_ip_to_site(request, study_id: int, payload: IpShipmentIn):
    """Ship kits from a depot to an activated site (the depot's kits first-expiry-first-out)."""
    study = visible_or_404(request, Study, study_id)
    user = _manager(request, study)
    sites = StudySite.objects.visible_to(user).filter(study=study)
    shipment = services.ship_to_site(
        study=study, by=user, kits=payload.kits, shipped_on=payload.shipped_on, courier=payload.courier,
        tracking_number=payload.tracking_number,
        depot=referenced(selectors.depots_for(user, study), payload.depot_id, field="depot_id"),
        study_site=referenced(sites, payload.study_site_id, field="study_site_id"),
    )  # fmt: skip
    return Status(201, shipment_out(shipment, True))


def _shipment(request, shipment_id: int) -> Shipment:
    return get_object_or_404(selectors.shipments_for(actor(request)), pk=shipment_id)


@router.get("/supply/shipments/{shipment_id}", response=with_errors({200: IpShipmentOut}, READ_ERRORS))
def get_ip_shipment(request, shipment_id: int):
    shipment = _shipment(request, shipment_id)
    return shipment_out(shipment, can_see_subject_level(actor(request), shipment.study_id))


@router.get(
    "/supply/shipments/{shipment_id}/kits", response=with_errors({200: page_schema(KitOut)}, READ_ERRORS)
)
def list_ip_shipment_kits(request, shipment_id: int, page: Query[PageQuery]):
    shipment = _shipment(request, shipment_id)
    user = actor(request)
    found = paginate(selectors.kits_for(user).filter(shipment=shipment), page)
    sees = permissions.sees_kit_arms(user, shipment.study)
    return {**found, "items": [kit_out(k, sees) for k in found["items"]]}


@router.post(
    "/supply/shipments/{shipment_id}/receipt", response=with_errors({200: IpShipmentOut}, WRITE_ERRORS)
)
def confirm_ip_receipt(request, shipment_id: int, payload: IpReceiptIn):
    """The site confirms what arrived (never more than shipped; the missing kits named), with the temperature
    log: outside the kits' storage range, the kits are quarantined and an excursion awaits a decision."""
    shipment = _shipment(request, shipment_id)
    user = actor(request)
    ids = {"study_id": shipment.study_id, "study_site_id": shipment.study_site_id}
    require(permissions.can_handle_site_ip(user, **ids), ONLY_SITE_STAFF)
    shipment = services.confirm_receipt(shipment=shipment, by=user, **payload.model_dump())
    return shipment_out(shipment, can_see_subject_level(user, shipment.study_id))


def _participant(request, participant_id: int) -> Participant:
    participants = Participant.objects.visible_to(actor(request)).select_related("study", "study_site")
    return get_object_or_404(participants, pk=participant_id)


def _require_site_staff(user, participant: Participant) -> None:
    ids = {"study_id": participant.study_id, "study_site_id": participant.study_site_id}
    require(permissions.can_handle_site_ip(user, **ids), ONLY_SITE_STAFF)


@router.post(
    "/participants/{participant_id}/supply/shipments",
    response=with_errors({201: IpShipmentOut}, WRITE_ERRORS),
)
def ship_ip_to_participant(request, participant_id: int, payload: IpParticipantShipmentIn):
    """Direct to the participant's home: kits of their arm's kit type (the system picks them)."""
    participant = _participant(request, participant_id)
    user = actor(request)
    _require_site_staff(user, participant)
    depot = referenced(selectors.depots_for(user, participant.study), payload.depot_id, field="depot_id")
    shipment = services.ship_to_participant(
        participant=participant, by=user, depot=depot, **payload.model_dump(exclude={"depot_id"})
    )
    return Status(201, shipment_out(shipment, True))


@router.get(
    "/participants/{participant_id}/supply/dispensings",
    response=with_errors({200: page_schema(DispensingOut)}, READ_ERRORS),
)
def list_dispensings(request, participant_id: int, page: Query[PageQuery]):
    """The kits dispensed to a participant, by number (never the kit type), with returns and compliance."""
    participant = _participant(request, participant_id)
    found = paginate(selectors.dispensings_for(actor(request)).filter(participant=participant), page)
    return {**found, "items": [dispensing_out(d) for d in found["items"]]}


@router.post(
    "/participants/{participant_id}/supply/dispensings",
    response=with_errors({201: DispensingOut}, WRITE_ERRORS),
)
def dispense_kit(request, participant_id: int, payload: DispenseIn):
    """Dispense a kit: the system allocates one of the participant's arm (or checks the scanned number)."""
    participant = _participant(request, participant_id)
    user = actor(request)
    _require_site_staff(user, participant)
    visits = ScheduledVisit.objects.filter(participant=participant)
    visit = referenced(visits, payload.scheduled_visit_id, field="scheduled_visit_id")
    dispensing = services.dispense_kit(
        participant=participant, by=user, dispensed_on=payload.dispensed_on, kit_number=payload.kit_number,
        scheduled_visit=visit,
    )  # fmt: skip
    return Status(201, dispensing_out(dispensing))


@router.post(
    "/supply/dispensings/{dispensing_id}/return", response=with_errors({200: DispensingOut}, WRITE_ERRORS)
)
def record_return(request, dispensing_id: int, payload: ReturnIn):
    dispensing = get_object_or_404(selectors.dispensings_for(actor(request)), pk=dispensing_id)
    user = actor(request)
    ids = {"study_id": dispensing.study_id, "study_site_id": dispensing.study_site_id}
    require(permissions.can_handle_site_ip(user, **ids), ONLY_SITE_STAFF)
    return dispensing_out(services.record_return(dispensing=dispensing, by=user, **payload.model_dump()))


@router.get(
    "/studies/{study_id}/supply/excursions",
    response=with_errors({200: page_schema(ExcursionOut)}, READ_ERRORS),
)
def list_ip_excursions(request, study_id: int, page: Query[PageQuery]):
    study = visible_or_404(request, Study, study_id)
    found = paginate(selectors.excursions_for(actor(request), study), page)
    return {**found, "items": [excursion_out(e) for e in found["items"]]}


@router.post(
    "/study-sites/{study_site_id}/supply/excursions", response=with_errors({201: ExcursionOut}, WRITE_ERRORS)
)
def record_ip_excursion(request, study_site_id: int, payload: ExcursionIn):
    """An excursion of the site's storage: its available kits (or those named) are quarantined."""
    site = visible_or_404(request, StudySite, study_site_id)
    user = actor(request)
    require(
        permissions.can_handle_site_ip(user, study_id=site.study_id, study_site_id=site.pk), ONLY_SITE_STAFF
    )
    return Status(
        201, excursion_out(services.record_excursion(study_site=site, by=user, **payload.model_dump()))
    )


def _excursion(request, excursion_id: int) -> Excursion:
    return get_object_or_404(selectors.excursions_for(actor(request)), pk=excursion_id)


@router.get("/supply/excursions/{excursion_id}", response=with_errors({200: ExcursionOut}, READ_ERRORS))
def get_ip_excursion(request, excursion_id: int):
    return excursion_out(_excursion(request, excursion_id))


@router.post(
    "/supply/excursions/{excursion_id}/decision", response=with_errors({200: ExcursionOut}, WRITE_ERRORS)
)
def decide_ip_excursion(request, excursion_id: int, payload: IpDecisionIn):
    """Release the quarantined kits or have them destroyed: a named decision with its reason."""
    excursion = _excursion(request, excursion_id)
    user = actor(request)
    require(permissions.can_manage_supply(user, excursion.study_id), ONLY_SUPPLY_MANAGERS)
    return excursion_out(services.decide_excursion(excursion=excursion, by=user, **payload.model_dump()))


@router.get(
    "/studies/{study_id}/supply/destructions",
    response=with_errors({200: page_schema(DestructionOut)}, READ_ERRORS),
)
def list_ip_destructions(request, study_id: int, page: Query[PageQuery]):
    study = visible_or_404(request, Study, study_id)
    found = paginate(selectors.destructions_for(actor(request), study), page)
    return {**found, "items": [destruction_out(d) for d in found["items"]]}


def destruction_out(destruction) -> dict:
    names = ("id", "study_site_id", "destroyed_on", "method", "witness", "reason")
    return {**{n: getattr(destruction, n) for n in names}, "kits": destruction.kits.count()}


@router.post(
    "/study-sites/{study_site_id}/supply/destructions",
    response=with_errors({201: DestructionOut}, WRITE_ERRORS),
)
def destroy_ip_kits(request, study_site_id: int, payload: DestructionIn):
    site = visible_or_404(request, StudySite, study_site_id)
    user = actor(request)
    require(
        permissions.can_handle_site_ip(user, study_id=site.study_id, study_site_id=site.pk), ONLY_SITE_STAFF
    )
    destruction = services.destroy_kits(study=site.study, study_site=site, by=user, **payload.model_dump())
    return Status(201, destruction_out(destruction))


@router.get(
    "/studies/{study_id}/supply/accountability",
    response=with_errors({200: page_schema(AccountOut)}, READ_ERRORS),
)
def ip_accountability(request, study_id: int, page: Query[PageQuery]):
    """Every kit sent to each site the caller may see, by state, and whether all are accounted for (the
    sites that ever received IP, by site number)."""
    study = visible_or_404(request, Study, study_id)
    sites = StudySite.objects.visible_to(actor(request)).filter(study=study, ip_kits__isnull=False)
    found = paginate(sites.distinct().order_by("site_number"), page)
    accounts = selectors.site_accounts(study, [s.pk for s in found["items"]])
    return {**found, "items": [account_row(site, accounts.get(site.pk)) for site in found["items"]]}


@router.get("/studies/{study_id}/supply/forecast", response=with_errors({200: IpForecastOut}, READ_ERRORS))
def ip_supply_forecast(request, study_id: int, options: Query[ForecastQuery]):
    """Kits needed per site over the horizon (50 % and 90 % quantiles), stock, suggested shipments, waste.
    Figures per site, no participant; for the study's people (site staff: their study's sites only)."""
    study = visible_or_404(request, Study, study_id)
    document = forecast.supply_forecast(study, as_of=timezone.now().date(), **options.model_dump())
    visible = set(
        StudySite.objects.visible_to(actor(request)).filter(study=study).values_list("site_number", flat=True)
    )
    return {**document, "sites": [row for row in document["sites"] if row["site"] in visible]}
