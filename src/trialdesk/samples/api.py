"""The samples API: a study's laboratories, sample types and permits; samples collected at a site's
visits (participant-level: subject-blind roles get `hidden`, never a sample); shipments with custody,
temperature log and the laboratory's receipt; the reconciliation per site. Reads start from what the
caller may see (404 outside it); writes ask the permission question before reading the body's ids, so
a read-only role hears 403 rather than a complaint about its input."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Status

from trialdesk.core.apiutils import (
    READ_ERRORS,
    SUBJECT_LEVEL,
    SUBJECT_LEVEL_READ_ERRORS,
    WRITE_ERRORS,
    IfMatch,
    PageQuery,
    actor,
    expected_version,
    fields_named,
    model_values,
    page_schema,
    paginate,
    referenced,
    require_subject_level,
    set_etag,
    visible_or_404,
    with_errors,
)
from trialdesk.core.permissions import can_see_subject_level, require
from trialdesk.samples import rules, selectors, services
from trialdesk.samples.models import Permit, Shipment
from trialdesk.samples.permissions import (
    ONLY_MANAGERS,
    ONLY_SHIPPERS,
    ONLY_SITE_STAFF,
    can_collect_samples,
    can_manage_samples,
    can_ship_samples,
)
from trialdesk.samples.schemas import (
    CustodyIn,
    CustodyOut,
    LaboratoryIn,
    LaboratoryOut,
    PermitIn,
    PermitOut,
    PermitPatch,
    ReceiptIn,
    ReconciliationOut,
    SampleIn,
    SampleOut,
    SampleTypeIn,
    SampleTypeOut,
    ShipmentIn,
    ShipmentListItem,
    ShipmentOut,
    TemperatureLogIn,
)
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study
from trialdesk.subjects.models import Participant
from trialdesk.visits.models import ScheduledVisit

router = Router(tags=["samples"])


def permit_out(permit: Permit, today) -> dict:
    names = (
        "id study_id direction from_country to_country authority number valid_from valid_until "
        "sample_type_codes covers version"
    ).split()
    return {
        **{name: getattr(permit, name) for name in names},
        "expired": permit.valid_until < today,
        "expiring_within_60_days": rules.expiring(permit.valid_until, today=today),
    }


def sample_out(sample) -> dict:
    item = getattr(sample, "shipment_item", None)
    return {
        "id": sample.pk,
        "study_id": sample.study_id,
        "study_site_id": sample.study_site_id,
        "participant_id": sample.participant_id,
        "participant_number": sample.participant.number,
        "scheduled_visit_id": sample.scheduled_visit_id,
        "sample_type": sample.sample_type.code,
        "barcode": sample.barcode,
        "collected_at": sample.collected_at,
        "collected_by": sample.collected_by.username,
        "shipment_id": item.shipment_id if item else None,
        "version": sample.version,
    }


def _route(shipment) -> str:
    return f"{shipment.study_site.institution.country} → {shipment.laboratory.country}"


def shipment_list_item(shipment) -> dict:
    names = "id study_site_id laboratory_id number tracking_number shipped_at status sample_count".split()
    return {
        **{name: getattr(shipment, name) for name in names},
        "route": _route(shipment),
        "received_count": shipment.received_count if shipment.is_received else None,
    }


def shipment_out(user, shipment) -> dict:
    shipment = selectors.shipments_for(user).get(pk=shipment.pk)  # with its counts
    names = (
        "id study_id study_site_id laboratory_id number courier tracking_number shipped_at "
        "export_permit_id import_permit_id status sample_count received_at received_by receipt_condition "
        "temperature_log version"
    ).split()
    _, outside = selectors.shipment_excursions(shipment)
    items = None
    if can_see_subject_level(user, shipment.study_id):
        items = [
            {
                "barcode": item.sample.barcode,
                "participant_number": item.sample.participant.number,
                "sample_type": item.sample.sample_type.code,
                "received": item.received,
                "condition": item.condition,
            }
            for item in selectors.items_for(user, shipment)
        ]
    return {
        **{name: getattr(shipment, name) for name in names},
        "route": _route(shipment),
        "received_count": shipment.received_count if shipment.is_received else None,
        "temperature_excursions": outside,
        "custody": list(selectors.custody_for(user, shipment)),
        "items": items,
    }


# --- the study's laboratories, sample types and permits -------------------------------------------


@router.get(
    "/studies/{study_id}/sample-laboratories",
    response=with_errors({200: page_schema(LaboratoryOut)}, READ_ERRORS),
)
def list_laboratories(request, study_id: int, page: Query[PageQuery]):
    study = visible_or_404(request, Study, study_id)
    return paginate(selectors.laboratories_for(actor(request), study), page)


@router.post(
    "/studies/{study_id}/sample-laboratories", response=with_errors({201: LaboratoryOut}, WRITE_ERRORS)
)
def create_laboratory(request, study_id: int, payload: LaboratoryIn):
    """Add a central laboratory the study's samples are sent to."""
    user = actor(request)
    study = visible_or_404(request, Study, study_id)
    require(can_manage_samples(user, study.pk), ONLY_MANAGERS)
    laboratory = services.create_laboratory(study=study, by=user, **payload.model_dump())
    return Status(201, laboratory)


@router.get(
    "/studies/{study_id}/sample-types", response=with_errors({200: page_schema(SampleTypeOut)}, READ_ERRORS)
)
def list_sample_types(request, study_id: int, page: Query[PageQuery]):
    study = visible_or_404(request, Study, study_id)
    return paginate(selectors.sample_types_for(actor(request), study), page)


@router.post("/studies/{study_id}/sample-types", response=with_errors({201: SampleTypeOut}, WRITE_ERRORS))
def create_sample_type(request, study_id: int, payload: SampleTypeIn):
    """Add a sample type (serum, whole blood, tissue) with the range it is stored in."""
    user = actor(request)
    study = visible_or_404(request, Study, study_id)
    require(can_manage_samples(user, study.pk), ONLY_MANAGERS)
    sample_type = services.create_sample_type(study=study, by=user, **payload.model_dump())
    return Status(201, sample_type)


@router.get(
    "/studies/{study_id}/sample-permits", response=with_errors({200: page_schema(PermitOut)}, READ_ERRORS)
)
def list_permits(request, study_id: int, page: Query[PageQuery]):
    """The study's import and export permits, soonest ending first."""
    study = visible_or_404(request, Study, study_id)
    found = paginate(selectors.permits_for(actor(request), study), page)
    today = timezone.now().date()
    return {**found, "items": [permit_out(p, today) for p in found["items"]]}


@router.post("/studies/{study_id}/sample-permits", response=with_errors({201: PermitOut}, WRITE_ERRORS))
def create_permit(request, study_id: int, payload: PermitIn):
    """Record an export or import permit for the study's samples between two countries."""
    user = actor(request)
    study = visible_or_404(request, Study, study_id)
    require(can_manage_samples(user, study.pk), ONLY_MANAGERS)
    permit = services.record_permit(study=study, by=user, **payload.model_dump())
    return Status(201, permit_out(permit, timezone.now().date()))


def _permit(request, sample_permit_id: int) -> Permit:
    return get_object_or_404(selectors.permits_for(actor(request)), pk=sample_permit_id)


@router.get("/sample-permits/{sample_permit_id}", response=with_errors({200: PermitOut}, READ_ERRORS))
def get_permit(request, sample_permit_id: int, response: HttpResponse):
    permit = _permit(request, sample_permit_id)
    set_etag(response, permit)
    return permit_out(permit, timezone.now().date())


@router.patch("/sample-permits/{sample_permit_id}", response=with_errors({200: PermitOut}, WRITE_ERRORS))
def update_permit(
    request, sample_permit_id: int, payload: PermitPatch, response: HttpResponse, if_match: IfMatch = None
):
    """Change a permit (a renewal's validity, a corrected number); a reason is required."""
    permit = _permit(request, sample_permit_id)
    user = actor(request)
    require(can_manage_samples(user, permit.study_id), ONLY_MANAGERS)
    saved = services.update_permit(
        permit=permit,
        by=user,
        changes=model_values(payload),
        reason=payload.reason,
        expected_version=expected_version(payload.version, if_match),
    )
    set_etag(response, saved)
    return permit_out(saved, timezone.now().date())


# --- samples ---------------------------------------------------------------------------------------


@router.get(
    "/studies/{study_id}/samples",
    response=with_errors({200: page_schema(SampleOut)}, SUBJECT_LEVEL_READ_ERRORS),
    openapi_extra=SUBJECT_LEVEL,
)
def list_samples(request, study_id: int, page: Query[PageQuery], waiting: bool = False):
    """The study's samples the caller may read, newest first (`?waiting=true`: not yet shipped). Samples
    are participant-level: sponsor viewers and data protection officers get a 403 saying they are hidden
    (as with participants); their counts per site are in `GET /studies/{study_id}/sample-reconciliation`."""
    user = actor(request)
    study = visible_or_404(request, Study, study_id)
    require_subject_level(request, study.pk, "samples")
    samples = selectors.samples_for(user, study, waiting=waiting).select_related("shipment_item")
    found = paginate(samples, page)
    return {**found, "items": [sample_out(s) for s in found["items"]]}


@router.post("/study-sites/{study_site_id}/samples", response=with_errors({201: SampleOut}, WRITE_ERRORS))
def collect_sample(request, study_site_id: int, payload: SampleIn):
    """Record a sample taken from a participant of this site at one of their visits."""
    user = actor(request)
    site = visible_or_404(request, StudySite, study_site_id, "study")
    require(can_collect_samples(user, study_id=site.study_id, study_site_id=site.pk), ONLY_SITE_STAFF)
    participants = Participant.objects.visible_to(user).filter(study=site.study)
    visits = ScheduledVisit.objects.visible_to(user).filter(participant__study=site.study)
    required = {"participant_id": payload.participant_id, "scheduled_visit_id": payload.scheduled_visit_id}
    required["sample_type_id"] = payload.sample_type_id
    _require_ids(required)
    with fields_named(COLLECT_FIELDS):
        sample = _collect(user, site, participants, visits, payload)
    return Status(201, sample_out(selectors.samples_for(user).get(pk=sample.pk)))


COLLECT_FIELDS = {
    "participant": "participant_id",
    "scheduled_visit": "scheduled_visit_id",
    "sample_type": "sample_type_id",
}
SHIP_FIELDS = {
    "laboratory": "laboratory_id",
    "export_permit": "export_permit_id",
    "import_permit": "import_permit_id",
}


def _collect(user, site, participants, visits, payload):
    return services.collect_sample(
        study_site=site,
        by=user,
        participant=referenced(participants, payload.participant_id, field="participant_id"),
        scheduled_visit=referenced(visits, payload.scheduled_visit_id, field="scheduled_visit_id"),
        sample_type=referenced(
            selectors.sample_types_for(user, site.study), payload.sample_type_id, field="sample_type_id"
        ),
        barcode=payload.barcode,
        collected_at=payload.collected_at,
        note=payload.note,
        reason=payload.reason,
    )


def _require_ids(values: dict) -> None:
    missing = {name: "This field is required." for name, value in values.items() if value is None}
    if missing:
        raise ValidationError(missing)


# --- shipments -------------------------------------------------------------------------------------


@router.get(
    "/studies/{study_id}/sample-shipments",
    response=with_errors({200: page_schema(ShipmentListItem)}, READ_ERRORS),
)
def list_shipments(request, study_id: int, page: Query[PageQuery]):
    """The study's sample shipments the caller may see (their sites'), newest first, with counts."""
    study = visible_or_404(request, Study, study_id)
    found = paginate(selectors.shipments_for(actor(request), study), page)
    return {**found, "items": [shipment_list_item(s) for s in found["items"]]}


@router.post(
    "/study-sites/{study_site_id}/sample-shipments", response=with_errors({201: ShipmentOut}, WRITE_ERRORS)
)
def ship_samples(request, study_site_id: int, payload: ShipmentIn):
    """Send samples of this site to a laboratory. Refused (422 naming the field, nothing saved) without
    a valid permit where the country pair needs one, or for a sample already shipped."""
    user = actor(request)
    site = visible_or_404(request, StudySite, study_site_id, "study", "institution")
    require(can_ship_samples(user, study_id=site.study_id, study_site_id=site.pk), ONLY_SHIPPERS)
    _require_ids({"laboratory_id": payload.laboratory_id})
    permits = selectors.permits_for(user, site.study)
    with fields_named(SHIP_FIELDS):
        shipment = _ship(user, site, permits, payload)
    return Status(201, shipment_out(user, shipment))


def _ship(user, site, permits, payload):
    return services.ship_samples(
        study_site=site,
        by=user,
        laboratory=referenced(
            selectors.laboratories_for(user, site.study), payload.laboratory_id, field="laboratory_id"
        ),
        barcodes=payload.barcodes,
        courier=payload.courier,
        tracking_number=payload.tracking_number,
        shipped_at=payload.shipped_at,
        export_permit=referenced(permits, payload.export_permit_id, field="export_permit_id"),
        import_permit=referenced(permits, payload.import_permit_id, field="import_permit_id"),
        temperature_log=_readings(payload.temperature_log),
        reason=payload.reason,
    )


def _readings(readings) -> list[dict]:
    return [{"at": r.at.astimezone(dt.UTC).isoformat(), "celsius": str(r.celsius)} for r in readings]


def _shipment(request, sample_shipment_id: int) -> Shipment:
    return get_object_or_404(selectors.shipments_for(actor(request)), pk=sample_shipment_id)


@router.get("/sample-shipments/{sample_shipment_id}", response=with_errors({200: ShipmentOut}, READ_ERRORS))
def get_shipment(request, sample_shipment_id: int, response: HttpResponse):
    shipment = _shipment(request, sample_shipment_id)
    set_etag(response, shipment)
    return shipment_out(actor(request), shipment)


@router.post(
    "/sample-shipments/{sample_shipment_id}/custody", response=with_errors({201: CustodyOut}, WRITE_ERRORS)
)
def add_custody_transfer(request, sample_shipment_id: int, payload: CustodyIn):
    """Record a hand-over in the shipment's chain of custody: who to whom, when, where."""
    shipment = _shipment(request, sample_shipment_id)
    user = actor(request)
    require(
        can_ship_samples(user, study_id=shipment.study_id, study_site_id=shipment.study_site_id),
        ONLY_SHIPPERS,
    )
    transfer = services.add_custody_transfer(shipment=shipment, by=user, **payload.model_dump())
    return Status(201, transfer)


@router.put(
    "/sample-shipments/{sample_shipment_id}/temperature-log",
    response=with_errors({200: ShipmentOut}, WRITE_ERRORS),
)
def record_temperature_log(
    request, sample_shipment_id: int, payload: TemperatureLogIn, if_match: IfMatch = None
):
    """Replace the shipment's temperature log with the logger's readings; excursions are worked out
    against the storage range every sample in it tolerates."""
    shipment = _shipment(request, sample_shipment_id)
    user = actor(request)
    require(
        can_ship_samples(user, study_id=shipment.study_id, study_site_id=shipment.study_site_id),
        ONLY_SHIPPERS,
    )
    version = expected_version(payload.version, if_match) if payload.version or if_match else None
    saved = services.record_temperature_log(
        shipment=shipment,
        by=user,
        readings=_readings(payload.readings),
        reason=payload.reason,
        expected_version=version,
    )
    return shipment_out(user, saved)


@router.post(
    "/sample-shipments/{sample_shipment_id}/receipt", response=with_errors({200: ShipmentOut}, WRITE_ERRORS)
)
def record_receipt(request, sample_shipment_id: int, payload: ReceiptIn):
    """The laboratory's receipt: the samples that arrived and their condition (samples of the shipment
    not listed did not arrive). A barcode not in the shipment is refused, naming `received`."""
    shipment = _shipment(request, sample_shipment_id)
    user = actor(request)
    require(can_manage_samples(user, shipment.study_id), ONLY_MANAGERS)
    saved = services.record_receipt(
        shipment=shipment,
        by=user,
        received={line.barcode.strip(): line.condition for line in payload.received},
        received_at=payload.received_at,
        received_by=payload.received_by,
        receipt_condition=payload.receipt_condition,
        reason=payload.reason,
    )
    return shipment_out(user, saved)


@router.get(
    "/studies/{study_id}/sample-reconciliation", response=with_errors({200: ReconciliationOut}, READ_ERRORS)
)
def get_reconciliation(request, study_id: int):
    """Collected vs shipped vs received per site the caller sees; the discrepant samples are listed for
    callers who may read participants' samples (null for others: the counts are still given)."""
    study = visible_or_404(request, Study, study_id)
    found = selectors.reconciliation(actor(request), study)
    sites = []
    for row in found.rows:
        counts = row.counts
        sites.append(
            {
                "study_site_id": row.study_site.pk,
                "site_number": row.study_site.site_number,
                "collected": counts.collected,
                "waiting": counts.waiting,
                "shipped": counts.shipped,
                "in_transit": counts.in_transit,
                "received": counts.received,
                "discrepancy_count": len(counts.discrepancies),
                "discrepancies": None
                if found.subject_hidden
                else [
                    {
                        "barcode": d.barcode,
                        "participant_number": d.participant_number,
                        "shipment_number": d.shipment_number,
                        "state": d.state,
                    }
                    for d in row.discrepancies
                ],
            }
        )
    return {"study_id": study.pk, "subject_hidden": found.subject_hidden, "sites": sites}
