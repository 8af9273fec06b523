"""API operations on institutions and study sites, including the site status lifecycle.

Reads start from what the user may see (out of scope answers 404); writes go through sites.services,
after the permission question, so a read-only role hears 403 rather than a complaint about its input.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from trialdesk.core import health
from trialdesk.core.apiutils import (
    CREATE_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    DeleteQuery,
    IfMatch,
    PageQuery,
    actor,
    expected_version,
    fields_named,
    model_values,
    page_schema,
    paginate,
    set_etag,
    visible_or_404,
    with_errors,
)
from trialdesk.core.permissions import can_manage_institutions, can_manage_study, require
from trialdesk.sites import selectors as site_selectors
from trialdesk.sites import services
from trialdesk.sites.models import Institution, StudySite
from trialdesk.sites.schemas import (
    InstitutionFilters,
    InstitutionIn,
    InstitutionOut,
    InstitutionPatch,
    SiteTransitionIn,
    StudySiteIn,
    StudySiteOut,
    StudySitePatch,
)
from trialdesk.studies import selectors
from trialdesk.studies.health_api import HealthOut, health_out

router = Router(tags=["sites"])

# Institutions --------------------------------------------------------------------------------------


@router.get("/institutions", response=with_errors({200: page_schema(InstitutionOut)}, READ_ERRORS))
def list_institutions(request, filters: Query[InstitutionFilters]):
    """The institution directory (CRMs and administrators), or the institutions of the user's sites."""
    institutions = site_selectors.institutions_for(
        actor(request), search=filters.search or "", country=filters.country or ""
    )
    return paginate(institutions, filters)


@router.post("/institutions", response=with_errors({201: InstitutionOut}, CREATE_ERRORS))
def create_institution(request, payload: InstitutionIn):
    """Add an institution to the directory (administrators and CRMs)."""
    institution = services.create_institution(
        by=actor(request), reason=payload.reason, **model_values(payload)
    )
    return Status(201, institution)


@router.get("/institutions/{institution_id}", response=with_errors({200: InstitutionOut}, READ_ERRORS))
def get_institution(request, institution_id: int, response: HttpResponse):
    institution = visible_or_404(request, Institution, institution_id)
    set_etag(response, institution)
    return institution


@router.patch("/institutions/{institution_id}", response=with_errors({200: InstitutionOut}, WRITE_ERRORS))
def update_institution(
    request, institution_id: int, payload: InstitutionPatch, response: HttpResponse, if_match: IfMatch = None
):
    institution = visible_or_404(request, Institution, institution_id)
    require(can_manage_institutions(actor(request)), "Only administrators and CRMs change institutions.")
    institution = services.update_institution(
        institution=institution,
        changes=model_values(payload),
        by=actor(request),
        reason=payload.reason,
        expected_version=expected_version(payload.version, if_match),
    )
    set_etag(response, institution)
    return institution


# Study sites ---------------------------------------------------------------------------------------


PI_FIELD = {"principal_investigator_person": "principal_investigator_id"}  # the service's name, the API's


def _site_references(request, study):
    """The ids a site's body may name: an institution the caller may see, a PI among the study's people."""
    return {
        "institution_id": ("institution", Institution.objects.visible_to(actor(request))),
        "principal_investigator_id": (
            "principal_investigator_person",
            site_selectors.investigator_candidates(study),
        ),
    }


@router.get("/studies/{study_id}/sites", response=with_errors({200: page_schema(StudySiteOut)}, READ_ERRORS))
def list_study_sites(request, study_id: int, page: Query[PageQuery]):
    """The study's sites the user may see, with their institution, status and next allowed statuses."""
    user = actor(request)
    study = get_object_or_404(selectors.studies_for(user), pk=study_id)
    return paginate(site_selectors.sites_for(user, study), page)


@router.post("/studies/{study_id}/sites", response=with_errors({201: StudySiteOut}, WRITE_ERRORS))
def create_study_site(request, study_id: int, payload: StudySiteIn):
    """Add an institution to a study as a site (identified), with its site number."""
    user = actor(request)
    study = get_object_or_404(selectors.studies_for(user), pk=study_id)
    require(can_manage_study(user, study.pk))
    values = model_values(payload, references=_site_references(request, study))
    with fields_named(PI_FIELD):
        return Status(201, services.create_study_site(study=study, by=user, reason=payload.reason, **values))


@router.get("/study-sites/{study_site_id}", response=with_errors({200: StudySiteOut}, READ_ERRORS))
def get_study_site(request, study_site_id: int, response: HttpResponse):
    study_site = visible_or_404(request, StudySite, study_site_id, "institution")
    set_etag(response, study_site)
    return study_site


@router.get("/study-sites/{study_site_id}/health", response=with_errors({200: HealthOut}, READ_ERRORS))
def get_study_site_health(request, study_site_id: int):
    """The site's health as the caller may see it, from the signals that can judge one site (its
    milestones, reporting obligations, ethics approval, monitoring), on the site's local day."""
    study_site = visible_or_404(request, StudySite, study_site_id, "institution", "study")
    return health_out(request, health.site_health(actor(request), study_site))


@router.patch("/study-sites/{study_site_id}", response=with_errors({200: StudySiteOut}, WRITE_ERRORS))
def update_study_site(
    request, study_site_id: int, payload: StudySitePatch, response: HttpResponse, if_match: IfMatch = None
):
    """Change a site's details; its status moves only through the transition operation."""
    study_site = visible_or_404(request, StudySite, study_site_id, "institution", "study")
    require(can_manage_study(actor(request), study_site.study_id))
    with fields_named(PI_FIELD):
        study_site = services.update_study_site(
            study_site=study_site,
            changes=model_values(payload, references=_site_references(request, study_site.study)),
            by=actor(request),
            reason=payload.reason,
            expected_version=expected_version(payload.version, if_match),
        )
    set_etag(response, study_site)
    return study_site


@router.delete("/study-sites/{study_site_id}", response=with_errors({204: None}, WRITE_ERRORS))
def delete_study_site(request, study_site_id: int, removal: Query[DeleteQuery], if_match: IfMatch = None):
    """Remove a site still identified or under feasibility; later it is closed or terminated instead."""
    study_site = visible_or_404(request, StudySite, study_site_id, "institution")
    require(can_manage_study(actor(request), study_site.study_id))
    services.delete_study_site(
        study_site=study_site,
        by=actor(request),
        reason=removal.reason,
        expected_version=expected_version(removal.version, if_match),
    )
    return HttpResponse(status=204)


@router.post(
    "/study-sites/{study_site_id}/transition", response=with_errors({200: StudySiteOut}, WRITE_ERRORS)
)
def transition_study_site(
    request, study_site_id: int, payload: SiteTransitionIn, response: HttpResponse, if_match: IfMatch = None
):
    """Move a site along identified → under feasibility → selected → start-up → activated → enrolling →
    enrollment closed → closed, or to on hold / terminated from any open status."""
    study_site = visible_or_404(request, StudySite, study_site_id, "institution")
    require(can_manage_study(actor(request), study_site.study_id))
    with fields_named({"status": "to"}):
        study_site = services.change_site_status(
            study_site=study_site,
            to=payload.to,
            on=payload.on,
            by=actor(request),
            reason=payload.reason,
            expected_version=expected_version(payload.version, if_match),
        )
    set_etag(response, study_site)
    return study_site
