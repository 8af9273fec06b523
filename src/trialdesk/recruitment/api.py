"""The recruitment part of the JSON API (issue 18): a study's eligibility criteria, its pre-screening
figures, each site's pool and candidates with their explained results, uploads and the approach to
screening. Reads start from what the caller may see (404 outside it); writes ask permission first."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import Query, Router

from trialdesk.core.apiutils import (
    CREATE_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    DeleteQuery,
    IfMatch,
    PageQuery,
    actor,
    expected_version,
    page_schema,
    paginate,
    refuse_oversized_upload,
    set_etag,
    visible_or_404,
    with_errors,
)
from trialdesk.core.permissions import require
from trialdesk.recruitment import selectors, services
from trialdesk.recruitment.models import Candidate, EligibilityCriterion, PrescreeningPool
from trialdesk.recruitment.permissions import can_manage_criteria, can_work_pool
from trialdesk.recruitment.schemas import (
    ApproachIn,
    CandidateFilters,
    CandidateOut,
    CriterionIn,
    CriterionOut,
    CriterionPatch,
    PoolOut,
    PrescreeningOut,
    UploadOut,
)
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study

router = Router(tags=["recruitment"])

UPLOAD = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "A FHIR R4 Bundle (.json) or the CSV template (.csv)",
                        }
                    },
                    "required": ["file"],
                }
            }
        },
    }
}


def _criterion_out(criterion: EligibilityCriterion) -> dict:
    return {
        "id": criterion.pk,
        "study_id": criterion.study_id,
        "label": criterion.label,
        "section": criterion.section,
        "position": criterion.position,
        "text": criterion.text,
        "rule": criterion.rule,
        "rule_confirmed": criterion.rule_confirmed,
        "source": criterion.source,
        "version": criterion.version,
    }


def _candidate_out(candidate: Candidate) -> dict:
    entry = candidate.screening_entry
    return {
        "id": candidate.pk,
        "pool_id": candidate.pool_id,
        "candidate": candidate.key,
        "status": candidate.status,
        "screened_on": candidate.screened_on,
        "screening_number": entry.screening_number if entry else None,
        "criteria": [
            {"criterion_id": r["criterion"], **{k: r[k] for k in ("label", "text", "result", "because")}}
            for r in candidate.results
        ],
    }


@router.get(
    "/studies/{study_id}/eligibility-criteria",
    response=with_errors({200: page_schema(CriterionOut)}, READ_ERRORS),
)
def list_criteria(request, study_id: int, page: Query[PageQuery]):
    """The study's inclusion then exclusion criteria, each with its rule (null: checked by hand)."""
    study = visible_or_404(request, Study, study_id)
    found = EligibilityCriterion.objects.visible_to(actor(request)).filter(study=study)
    result = paginate(found.order_by("-section", "position", "id"), page)
    return {**result, "items": [_criterion_out(c) for c in result["items"]]}


@router.post(
    "/studies/{study_id}/eligibility-criteria", response=with_errors({201: CriterionOut}, WRITE_ERRORS)
)
def create_criterion(request, study_id: int, payload: CriterionIn):
    """Add a criterion; its rule is used to pre-screen once `rule_confirmed` is true."""
    study = visible_or_404(request, Study, study_id)
    require(can_manage_criteria(actor(request), study.pk), services.STUDY_TEAM_ONLY)
    criterion = services.create_criterion(study=study, by=actor(request), **payload.model_dump())
    return 201, _criterion_out(criterion)


@router.get("/eligibility-criteria/{criterion_id}", response=with_errors({200: CriterionOut}, READ_ERRORS))
def get_criterion(request, response: HttpResponse, criterion_id: int):
    criterion = visible_or_404(request, EligibilityCriterion, criterion_id)
    set_etag(response, criterion)
    return _criterion_out(criterion)


@router.patch("/eligibility-criteria/{criterion_id}", response=with_errors({200: CriterionOut}, WRITE_ERRORS))
def update_criterion(request, criterion_id: int, payload: CriterionPatch, if_match: IfMatch = None):
    """Change a criterion; a new rule is not used until confirmed (send `rule_confirmed: true` with it)."""
    criterion = visible_or_404(request, EligibilityCriterion, criterion_id)
    require(can_manage_criteria(actor(request), criterion.study_id), services.STUDY_TEAM_ONLY)
    changes = payload.model_dump(exclude_unset=True, exclude={"reason", "version"})
    criterion = services.update_criterion(
        criterion=criterion,
        changes=changes,
        by=actor(request),
        reason=payload.reason,
        expected_version=expected_version(payload.version, if_match),
    )
    return _criterion_out(criterion)


@router.delete("/eligibility-criteria/{criterion_id}", response=with_errors({204: None}, WRITE_ERRORS))
def delete_criterion(request, criterion_id: int, query: Query[DeleteQuery], if_match: IfMatch = None):
    criterion = visible_or_404(request, EligibilityCriterion, criterion_id)
    require(can_manage_criteria(actor(request), criterion.study_id), services.STUDY_TEAM_ONLY)
    services.delete_criterion(
        criterion=criterion,
        by=actor(request),
        reason=query.reason,
        expected_version=expected_version(query.version, if_match),
    )
    return 204, None


@router.get("/studies/{study_id}/prescreening", response=with_errors({200: PrescreeningOut}, READ_ERRORS))
def prescreening(request, study_id: int):
    """Candidates per site by status at the sites you see, and the criteria that rule out the most
    (figures only: never a candidate)."""
    study = visible_or_404(request, Study, study_id)
    sites = selectors.sites_for(actor(request), study)
    return {
        "retention_days": services.retention_days_of(study.pk),
        "sites": [
            {
                "study_site_id": row.site.pk,
                "site_number": row.site.site_number,
                "eligible": row.eligible,
                "unknown": row.unknown,
                "ineligible": row.ineligible,
                "approached": row.approached,
            }
            for row in selectors.counts_by_site(sites)
        ],
        "costly_criteria": [vars(item) for item in selectors.costly_criteria(sites)],
    }


@router.get(
    "/studies/{study_id}/prescreening-pools", response=with_errors({200: page_schema(PoolOut)}, READ_ERRORS)
)
def list_pools(request, study_id: int, page: Query[PageQuery]):
    """The study's pre-screening pools you may open (your sites' as site staff; all as the study's CRM)."""
    study = visible_or_404(request, Study, study_id)
    pools = (
        PrescreeningPool.objects.visible_to(actor(request)).filter(study=study).select_related("study_site")
    )
    result = paginate(pools.order_by("study_site__site_number"), page)
    items = [
        {
            "id": p.pk,
            "study_id": p.study_id,
            "study_site_id": p.study_site_id,
            "site_number": p.study_site.site_number,
        }
        for p in result["items"]
    ]
    return {**result, "items": items}


@router.post(
    "/study-sites/{study_site_id}/candidate-uploads",
    response=with_errors({201: UploadOut}, (*CREATE_ERRORS, 404, 413)),
    openapi_extra=UPLOAD,
)
def upload_candidates(request, study_site_id: int):
    """Add the candidates of a FHIR R4 Bundle or the CSV template (`file`) to the site's pool and screen
    them. A bad entry refuses the whole file (422, each entry named); nothing is stored."""
    site = visible_or_404(request, StudySite, study_site_id)
    require(can_work_pool(actor(request), site), services.POOL_STAFF_ONLY)
    refuse_oversized_upload(
        request,
        limit=settings.IMPORT_MAX_BYTES,
        message=lambda size: f"The file is larger than the limit of {settings.IMPORT_MAX_BYTES} bytes.",
    )
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationError({"file": "Send the candidates as the multipart field `file`."})
    made = services.upload_candidates(
        study_site=site, by=actor(request), file_name=upload.name or "upload", content=upload.read()
    )
    return 201, {
        "id": made.pk,
        "pool_id": made.pool_id,
        "file_name": made.file_name,
        "candidate_count": made.candidate_count,
        "uploaded_on": made.uploaded_on,
    }


@router.get(
    "/prescreening-pools/{pool_id}/candidates",
    response=with_errors({200: page_schema(CandidateOut)}, READ_ERRORS),
)
def list_candidates(request, pool_id: int, filters: Query[CandidateFilters]):
    """The pool's candidates with each criterion's result and why (the site's staff and the study's CRM)."""
    pool = visible_or_404(request, PrescreeningPool, pool_id)
    found = selectors.candidates_for(actor(request), pool, status=filters.status or "", order=filters.order)
    result = paginate(found, filters)
    return {**result, "items": [_candidate_out(c) for c in result["items"]]}


@router.get("/prescreening-candidates/{candidate_id}", response=with_errors({200: CandidateOut}, READ_ERRORS))
def get_candidate(request, candidate_id: int):
    return _candidate_out(visible_or_404(request, Candidate, candidate_id, "screening_entry"))


@router.post(
    "/prescreening-candidates/{candidate_id}/approach",
    response=with_errors({200: CandidateOut}, WRITE_ERRORS),
)
def approach_candidate(request, candidate_id: int, payload: ApproachIn):
    """The site approaches the candidate: a screening log entry under `screening_number`, linked to it."""
    candidate = visible_or_404(request, Candidate, candidate_id, "pool__study_site")
    require(can_work_pool(actor(request), candidate.pool.study_site), services.POOL_STAFF_ONLY)
    candidate = services.approach_candidate(
        candidate=candidate,
        by=actor(request),
        screening_number=payload.screening_number,
        screened_on=payload.screened_on,
    )
    return _candidate_out(candidate)
