"""API operations on reporting obligations: the lists, one obligation, marking a report submitted, and its
deliveries to each site or committee with their acknowledgement."""

import datetime as dt

from django.http import HttpResponse
from django.utils import timezone
from ninja import Query, Router

from trialdesk.core.apiutils import (
    READ_ERRORS,
    WRITE_ERRORS,
    IfMatch,
    PageQuery,
    actor,
    page_schema,
    paginate,
    set_etag,
    visible_or_404,
    with_errors,
)
from trialdesk.core.permissions import require
from trialdesk.safety import deliveries, selectors, services
from trialdesk.safety.api.scope import _optional_version, _study
from trialdesk.safety.models import ObligationDelivery, ReportingObligation
from trialdesk.safety.permissions import can_submit_obligation
from trialdesk.safety.schemas import (
    DeliveryIn,
    DeliveryOut,
    ObligationFilters,
    ObligationOut,
    ObligationSubmissionIn,
)

router = Router(tags=["safety"])

# Obligations ---------------------------------------------------------------------------------------------


def obligation_out(obligation: ReportingObligation, now: dt.datetime) -> dict:
    standing = obligation.standing(now)
    zone = obligation.zone
    names = (
        "id study_id study_site_id adverse_event_id key recipient jurisdiction rule description "
        "reporting_party "
        "clock length due_on time_zone status not_required_reason reference_number version"
    ).split()
    return {
        **{name: getattr(obligation, name) for name in names},
        "study_code": obligation.study.code,
        "adverse_event_number": obligation.adverse_event.number if obligation.adverse_event_id else None,
        "starts_at": obligation.starts_at.astimezone(zone),
        "due_at": obligation.due_at.astimezone(zone),
        "submitted_at": obligation.submitted_at.astimezone(zone) if obligation.submitted_at else None,
        "submitted_by": obligation.submitted_by.username if obligation.submitted_by_id else None,
        "standing": standing.label,
        "days_late": standing.days_late,
        "status": obligation.current_status(now),
        "day_zero": (obligation.day_zero or obligation.starts_at).astimezone(zone),
        "verified": obligation.rule_verified,
    }


def _obligation_page(obligations, page: PageQuery) -> dict:
    found = paginate(obligations.select_related("study", "adverse_event", "submitted_by"), page)
    now = timezone.now()
    found["items"] = [obligation_out(o, now) for o in found["items"]]
    return found


def _filtered(obligations, filters: ObligationFilters):
    now = timezone.now()
    if filters.study_id is not None:
        obligations = obligations.filter(study_id=filters.study_id)
    if filters.status:
        obligations = obligations.filter(status=filters.status)
    if filters.recipient:
        obligations = obligations.filter(recipient__iexact=filters.recipient)
    if filters.jurisdiction:
        obligations = obligations.filter(jurisdiction__iexact=filters.jurisdiction)
    if filters.window:
        obligations = obligations.filter(status="open").filter(selectors.due_within(filters.window, now))
    return obligations.order_by("due_at", "id")


@router.get("/obligations", response=with_errors({200: page_schema(ObligationOut)}, READ_ERRORS))
def list_obligations(request, filters: Query[ObligationFilters]):
    """Reporting obligations across the user's portfolio, by due time, e.g. `?window=overdue`."""
    return _obligation_page(_filtered(selectors.obligations_for(actor(request)), filters), filters)


@router.get(
    "/studies/{study_id}/obligations", response=with_errors({200: page_schema(ObligationOut)}, READ_ERRORS)
)
def list_study_obligations(request, study_id: int, filters: Query[ObligationFilters]):
    study = _study(request, study_id)
    return _obligation_page(_filtered(selectors.obligations_for(actor(request), study), filters), filters)


@router.get("/obligations/{obligation_id}", response=with_errors({200: ObligationOut}, READ_ERRORS))
def get_obligation(request, obligation_id: int, response: HttpResponse):
    obligation = visible_or_404(request, ReportingObligation, obligation_id, "study", "adverse_event")
    set_etag(response, obligation)
    return obligation_out(obligation, timezone.now())


@router.post("/obligations/{obligation_id}/submit", response=with_errors({200: ObligationOut}, WRITE_ERRORS))
def submit_obligation(request, obligation_id: int, payload: ObligationSubmissionIn, if_match: IfMatch = None):
    """Mark the report submitted, with when and the recipient's reference number (the evidence)."""
    obligation = visible_or_404(request, ReportingObligation, obligation_id, "study", "adverse_event")
    user = actor(request)
    require(
        can_submit_obligation(
            user,
            study_id=obligation.study_id,
            study_site_id=obligation.study_site_id,
            party=obligation.reporting_party,
        ),
        services.ONLY_SUBMITTERS,
    )
    done = services.mark_submitted(
        obligation=obligation,
        by=user,
        submitted_at=payload.submitted_at,
        reference_number=payload.reference_number,
        reason=payload.reason,
        expected_version=_optional_version(payload.version, if_match),
    )
    return obligation_out(done, timezone.now())


# Deliveries ----------------------------------------------------------------------------------------------


def delivery_out(delivery: ObligationDelivery) -> dict:
    names = "id obligation_id study_site_id sent_at acknowledged_at acknowledgement_reference version".split()
    return {**{name: getattr(delivery, name) for name in names}, "recipient": delivery.recipient_label}


@router.get(
    "/obligations/{obligation_id}/deliveries",
    response=with_errors({200: page_schema(DeliveryOut)}, READ_ERRORS),
)
def list_deliveries(request, obligation_id: int, page: Query[PageQuery]):
    """The report's copies to each investigator site or committee, sent and acknowledged or not yet."""
    obligation = visible_or_404(request, ReportingObligation, obligation_id, "study", "adverse_event")
    deliveries_seen = ObligationDelivery.objects.visible_to(actor(request)).select_related("study_site")
    found = paginate(deliveries_seen.filter(obligation=obligation), page)
    return {**found, "items": [delivery_out(d) for d in found["items"]]}


@router.post("/obligation-deliveries/{delivery_id}", response=with_errors({200: DeliveryOut}, WRITE_ERRORS))
def record_delivery(request, delivery_id: int, payload: DeliveryIn):
    """Record when the report went to this site or committee and when (and under which reference) its
    receipt was acknowledged; a value left out keeps the one recorded."""
    delivery = visible_or_404(request, ObligationDelivery, delivery_id, "obligation", "study_site")
    done = deliveries.record_delivery(
        delivery=delivery,
        by=actor(request),
        sent_at=payload.sent_at,
        acknowledged_at=payload.acknowledged_at,
        acknowledgement_reference=payload.acknowledgement_reference,
        reason=payload.reason,
    )
    return delivery_out(done)
