"""API operations on amendment checklists: start one, its tasks, the deviations it found."""

from django.http import HttpResponse
from ninja import Query, Router, Status

from trialdesk.core.apiutils import (
    READ_ERRORS,
    WRITE_ERRORS,
    PageQuery,
    actor,
    fields_named,
    page_schema,
    paginate,
    referenced,
    set_etag,
    visible_or_404,
    with_errors,
)
from trialdesk.core.permissions import can_manage_study, can_work_at_some_site, require
from trialdesk.regulatory import selectors, services
from trialdesk.regulatory.api.scope import BODY_NAMES, _visible_study
from trialdesk.regulatory.models import AmendmentImplementation
from trialdesk.regulatory.schemas import AmendmentIn, AmendmentOut, DeviationRecordedOut, TaskIn, TaskOut
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import ProtocolVersion

router = Router(tags=["regulatory"])


# Amendments -------------------------------------------------------------------------------------------


def _amendment_out(request, implementation: AmendmentImplementation) -> dict:
    user = actor(request)
    study = implementation.study
    visible = {s.pk for s in StudySite.objects.visible_to(user).filter(study=study)}
    sites = [s for s in selectors.affected_sites(study) if s.pk in visible]
    numbers_visible = selectors.sites_with_participants_visible(user, study)
    statuses = selectors.amendment_status(implementation, sites)
    return {
        "id": implementation.pk,
        "study_id": implementation.study_id,
        "protocol_version_id": implementation.protocol_version_id,
        "protocol_version": implementation.protocol_version.number,
        "started_on": implementation.started_on,
        "changes_consent": implementation.changes_consent,
        "changes_schedule": implementation.changes_schedule,
        "note": implementation.note,
        "version": implementation.version,
        "sites_without_ethics_approval": [s.site.site_number for s in statuses if not s.ethics_approved],
        "sites": [
            {
                "study_site_id": s.site.pk,
                "site": s.site.site_number,
                "country": s.site.institution.country,
                "done": s.progress[0],
                "applicable": s.progress[1],
                "items": [
                    {"item": i.item, "label": i.label, "state": i.state, "detail": i.detail} for i in s.items
                ],
                "reconsent_pending": s.reconsent_pending if s.site.pk in numbers_visible else [],
                "reconsent_pending_count": len(s.reconsent_pending),
            }
            for s in statuses
        ],
    }


@router.post(
    "/protocol-versions/{protocol_version_id}/amendment",
    response=with_errors({201: AmendmentOut}, WRITE_ERRORS),
)
def start_amendment(request, protocol_version_id: int, payload: AmendmentIn):
    """Start implementing a sponsor-approved protocol version: a checklist for every site taking part."""
    version = visible_or_404(request, ProtocolVersion, protocol_version_id, "study")
    require(can_manage_study(actor(request), version.study_id), services.ONLY_STUDY_MANAGERS)
    implementation = services.start_amendment(
        version,
        actor(request),
        changes_consent=payload.changes_consent,
        changes_schedule=payload.changes_schedule,
        note=payload.note,
        reason=payload.reason,
    )
    return Status(201, _amendment_out(request, implementation))


@router.get(
    "/studies/{study_id}/amendments", response=with_errors({200: page_schema(AmendmentOut)}, READ_ERRORS)
)
def list_amendments(request, study_id: int, page: Query[PageQuery]):
    """The study's amendments being implemented, newest first, each with every visible site's checklist."""
    study = _visible_study(request, study_id)
    implementations = selectors.implementations_for(actor(request), study).order_by("-started_on", "-id")
    found = paginate(implementations, page)
    found["items"] = [_amendment_out(request, implementation) for implementation in found["items"]]
    return found


@router.get("/amendments/{amendment_id}", response=with_errors({200: AmendmentOut}, READ_ERRORS))
def get_amendment(request, amendment_id: int, response: HttpResponse):
    implementation = visible_or_404(
        request, AmendmentImplementation, amendment_id, "study", "protocol_version"
    )
    set_etag(response, implementation)
    return _amendment_out(request, implementation)


@router.post("/amendments/{amendment_id}/tasks", response=with_errors({201: TaskOut}, WRITE_ERRORS))
def tick_item(request, amendment_id: int, payload: TaskIn):
    """Tick a manual checklist item at a site (submitted to the committee or authority, schedule applied)."""
    implementation = visible_or_404(
        request, AmendmentImplementation, amendment_id, "study", "protocol_version"
    )
    user = actor(request)
    require(can_work_at_some_site(user, implementation.study_id), services.ONLY_SITE_WORKERS)
    sites = (
        StudySite.objects.visible_to(user)
        .filter(study_id=implementation.study_id)
        .select_related("institution")
    )
    site = referenced(sites, payload.study_site_id, field="study_site_id")
    with fields_named(BODY_NAMES):
        task = services.tick_amendment_item(
            implementation=implementation,
            study_site=site,
            item=payload.item,
            done_on=payload.done_on,
            note=payload.note,
            by=user,
            reason=payload.reason,
        )
    return Status(201, task)


@router.post(
    "/amendments/{amendment_id}/deviations",
    response=with_errors({201: list[DeviationRecordedOut]}, WRITE_ERRORS),
)
def record_deviations(request, amendment_id: int):
    """Record a deviation for each visit done under the amendment's schedule before the site's ethics
    approval of it (each visit once; a second call records only new ones)."""
    implementation = visible_or_404(
        request, AmendmentImplementation, amendment_id, "study", "protocol_version"
    )
    require(can_manage_study(actor(request), implementation.study_id), services.ONLY_STUDY_MANAGERS)
    recorded = services.record_unapproved_version_deviations(implementation=implementation, by=actor(request))
    return Status(201, recorded)
