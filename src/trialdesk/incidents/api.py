"""The incidents API: a study's incidents (list, record), one incident (read, change), its notifications,
and marking one made. Reads start from what the user may see (404 outside it); writes ask the permission
question first, so a read-only role hears 403 rather than a complaint about its input."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Status

from trialdesk.core.apiutils import (
    READ_ERRORS,
    WRITE_ERRORS,
    IfMatch,
    PageQuery,
    actor,
    expected_version,
    model_values,
    page_schema,
    paginate,
    set_etag,
    visible_or_404,
    with_errors,
)
from trialdesk.core.permissions import require
from trialdesk.incidents import rules, selectors, services
from trialdesk.incidents.models import Incident, IncidentObligation
from trialdesk.incidents.permissions import ONLY_MANAGERS, can_manage_incidents
from trialdesk.incidents.schemas import (
    IncidentFilters,
    IncidentIn,
    IncidentObligationOut,
    IncidentOut,
    IncidentPatch,
    NotificationMadeIn,
)
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study

router = Router(tags=["incidents"])


def incident_out(incident: Incident) -> dict:
    names = (
        "id study_id study_site_id number kind title description jurisdictions sponsor_timezone "
        "affected_individuals residents_by_state risk_to_individuals hipaa_role measures version"
    ).split()
    open_count = getattr(incident, "open_notifications", None)
    if open_count is None:
        open_count = incident.obligations.filter(status="open").count()
    return {
        **{name: getattr(incident, name) for name in names},
        "study_code": incident.study.code,
        "aware_at": incident.aware_at.astimezone(incident.zone),
        "open_notifications": open_count,
        "warnings": rules.warnings_for(incident.facts()),
    }


def obligation_out(obligation: IncidentObligation, now) -> dict:
    zone = obligation.zone
    names = (
        "id incident_id study_id key recipient jurisdiction rule description reporting_party clock length "
        "due_on time_zone not_required_reason reference_number version"
    ).split()
    return {
        **{name: getattr(obligation, name) for name in names},
        "incident_number": obligation.incident.number,
        "starts_at": obligation.starts_at.astimezone(zone),
        "due_at": obligation.due_at.astimezone(zone),
        "status": obligation.current_status(now),
        "verified": obligation.rule_verified,
        "submitted_at": obligation.submitted_at.astimezone(zone) if obligation.submitted_at else None,
        "submitted_by": obligation.submitted_by.username if obligation.submitted_by_id else None,
    }


def _sites(user, study):
    return StudySite.objects.visible_to(user).filter(study=study)


@router.get(
    "/studies/{study_id}/incidents", response=with_errors({200: page_schema(IncidentOut)}, READ_ERRORS)
)
def list_incidents(request, study_id: int, filters: Query[IncidentFilters]):
    """The study's incidents the caller may see, newest awareness first, e.g. `?kind=serious_breach`."""
    study = visible_or_404(request, Study, study_id)
    found = paginate(selectors.incident_list(actor(request), study, kind=filters.kind or ""), filters)
    return {**found, "items": [incident_out(i) for i in found["items"]]}


@router.post("/studies/{study_id}/incidents", response=with_errors({201: IncidentOut}, WRITE_ERRORS))
def create_incident(request, study_id: int, payload: IncidentIn):
    """Record an incident; the notifications its facts require are created with their clocks."""
    user = actor(request)
    study = visible_or_404(request, Study, study_id)
    require(can_manage_incidents(user, study.pk), ONLY_MANAGERS)
    values = model_values(payload, references={"study_site_id": ("study_site", _sites(user, study))})
    incident = services.record_incident(study=study, by=user, reason=payload.reason, **values)
    return Status(201, incident_out(incident))


def _incident(request, incident_id: int) -> Incident:
    return get_object_or_404(selectors.incidents_for(actor(request)), pk=incident_id)


@router.get("/incidents/{incident_id}", response=with_errors({200: IncidentOut}, READ_ERRORS))
def get_incident(request, incident_id: int, response: HttpResponse):
    incident = _incident(request, incident_id)
    set_etag(response, incident)
    return incident_out(incident)


@router.patch("/incidents/{incident_id}", response=with_errors({200: IncidentOut}, WRITE_ERRORS))
def update_incident(
    request, incident_id: int, payload: IncidentPatch, response: HttpResponse, if_match: IfMatch = None
):
    """Change an incident's facts (a reason is required); its notifications follow the new facts."""
    incident = _incident(request, incident_id)
    user = actor(request)
    require(can_manage_incidents(user, incident.study_id), ONLY_MANAGERS)
    changes = model_values(
        payload, references={"study_site_id": ("study_site", _sites(user, incident.study))}
    )
    saved = services.update_incident(
        incident=incident,
        by=user,
        changes=changes,
        reason=payload.reason,
        expected_version=expected_version(payload.version, if_match),
    )
    set_etag(response, saved)
    return incident_out(saved)


@router.get(
    "/incidents/{incident_id}/obligations",
    response=with_errors({200: page_schema(IncidentObligationOut)}, READ_ERRORS),
)
def list_incident_obligations(request, incident_id: int, page: Query[PageQuery]):
    """The notifications the incident requires, soonest due first, due times in the reporting party's zone."""
    incident = _incident(request, incident_id)
    found = paginate(selectors.obligations_for(actor(request), incident), page)
    now = timezone.now()
    return {**found, "items": [obligation_out(o, now) for o in found["items"]]}


@router.post(
    "/incident-obligations/{incident_obligation_id}/met",
    response=with_errors({200: IncidentObligationOut}, WRITE_ERRORS),
)
def mark_incident_obligation_met(
    request, incident_obligation_id: int, payload: NotificationMadeIn, if_match: IfMatch = None
):
    """Record the notification as made: when (default now), the recipient's reference; audited."""
    obligation = get_object_or_404(selectors.obligations_for(actor(request)), pk=incident_obligation_id)
    user = actor(request)
    require(can_manage_incidents(user, obligation.study_id), ONLY_MANAGERS)
    version = expected_version(payload.version, if_match) if payload.version or if_match else None
    done = services.mark_met(
        obligation=obligation,
        by=user,
        submitted_at=payload.submitted_at,
        reference_number=payload.reference_number,
        reason=payload.reason,
        expected_version=version,
    )
    return obligation_out(done, timezone.now())
