"""API operations on a study's consent versions and their site approvals, and its diversity plan."""

from django.http import HttpResponse
from ninja import Query, Router, Status

from trialdesk.core.apiutils import (
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
    referenced,
    set_etag,
    with_errors,
)
from trialdesk.core.permissions import require
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import ProtocolVersion
from trialdesk.subjects import selectors, services
from trialdesk.subjects.api.scope import API_NAMES, visible, visible_study
from trialdesk.subjects.models import ConsentVersion, DiversityTarget
from trialdesk.subjects.permissions import (
    can_manage_consent_versions,
)
from trialdesk.subjects.schemas import (
    ConsentApprovalIn,
    ConsentApprovalOut,
    ConsentVersionIn,
    ConsentVersionOut,
    ConsentVersionPatch,
    DiversityTargetIn,
    DiversityTargetOut,
    DiversityTargetPatch,
)
from trialdesk.subjects.services.consent import CRM_ONLY

router = Router(tags=["participants"])

# Consent versions and their approvals --------------------------------------------------------------


def _require_consent_manager(request, study_id: int) -> None:
    require(can_manage_consent_versions(actor(request), study_id), CRM_ONLY)


def _protocol_reference(request, study_id: int):
    protocols = ProtocolVersion.objects.visible_to(actor(request)).filter(study_id=study_id)
    return {"protocol_version_id": ("protocol_version", protocols)}


@router.get(
    "/studies/{study_id}/consent-versions",
    response=with_errors({200: page_schema(ConsentVersionOut)}, READ_ERRORS),
)
def list_consent_versions(request, study_id: int, page: Query[PageQuery]):
    study = visible_study(request, study_id)
    return paginate(selectors.consent_versions_for(actor(request), study), page)


@router.post(
    "/studies/{study_id}/consent-versions", response=with_errors({201: ConsentVersionOut}, WRITE_ERRORS)
)
def create_consent_version(request, study_id: int, payload: ConsentVersionIn):
    """Add a consent form version; a site uses it once its ethics approval there is recorded."""
    study = visible_study(request, study_id)
    _require_consent_manager(request, study.pk)
    values = model_values(payload, references=_protocol_reference(request, study.pk))
    with fields_named(API_NAMES):
        version = services.create_consent_version(
            study=study, by=actor(request), reason=payload.reason, **values
        )
    return Status(201, version)


@router.get(
    "/consent-versions/{consent_version_id}", response=with_errors({200: ConsentVersionOut}, READ_ERRORS)
)
def get_consent_version(request, consent_version_id: int, response: HttpResponse):
    version = visible(request, ConsentVersion, consent_version_id)
    set_etag(response, version)
    return version


@router.patch(
    "/consent-versions/{consent_version_id}", response=with_errors({200: ConsentVersionOut}, WRITE_ERRORS)
)
def update_consent_version(
    request,
    consent_version_id: int,
    payload: ConsentVersionPatch,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    """Change a consent version; once signed, only its summary of changes may change."""
    version = visible(request, ConsentVersion, consent_version_id)
    _require_consent_manager(request, version.study_id)
    with fields_named(API_NAMES):
        version = services.update_consent_version(
            consent_version=version,
            changes=model_values(payload, references=_protocol_reference(request, version.study_id)),
            by=actor(request),
            reason=payload.reason,
            expected_version=expected_version(payload.version, if_match),
        )
    set_etag(response, version)
    return version


@router.get(
    "/consent-versions/{consent_version_id}/approvals",
    response=with_errors({200: page_schema(ConsentApprovalOut)}, READ_ERRORS),
)
def list_consent_approvals(request, consent_version_id: int, page: Query[PageQuery]):
    """The sites' ethics approvals of this version (the sites the user may see)."""
    version = visible(request, ConsentVersion, consent_version_id)
    return paginate(selectors.approvals_for(actor(request), version), page)


@router.post(
    "/consent-versions/{consent_version_id}/approvals",
    response=with_errors({201: ConsentApprovalOut}, WRITE_ERRORS),
)
def record_consent_approval(request, consent_version_id: int, payload: ConsentApprovalIn):
    """Record a site's ethics approval of this version: from the approval date the site uses it."""
    user = actor(request)
    version = visible(request, ConsentVersion, consent_version_id)
    _require_consent_manager(request, version.study_id)
    sites = StudySite.objects.visible_to(user).filter(study_id=version.study_id).select_related("institution")
    site = referenced(sites, payload.study_site_id, field="study_site_id")
    approval = services.record_consent_approval(
        consent_version=version,
        study_site=site,
        approved_on=payload.approved_on,
        reference=payload.reference,
        reason=payload.reason,
        by=user,
    )
    return Status(201, approval)


# Diversity plan ------------------------------------------------------------------------------------


@router.get(
    "/studies/{study_id}/diversity-targets",
    response=with_errors({200: page_schema(DiversityTargetOut)}, READ_ERRORS),
)
def list_diversity_targets(request, study_id: int, page: Query[PageQuery]):
    study = visible_study(request, study_id)
    return paginate(selectors.diversity_targets_for(actor(request), study), page)


@router.post(
    "/studies/{study_id}/diversity-targets", response=with_errors({201: DiversityTargetOut}, WRITE_ERRORS)
)
def create_diversity_target(request, study_id: int, payload: DiversityTargetIn):
    study = visible_study(request, study_id)
    _require_consent_manager(request, study.pk)
    target = services.create_diversity_target(
        study=study, by=actor(request), reason=payload.reason, **model_values(payload)
    )
    return Status(201, target)


@router.get(
    "/diversity-targets/{diversity_target_id}", response=with_errors({200: DiversityTargetOut}, READ_ERRORS)
)
def get_diversity_target(request, diversity_target_id: int, response: HttpResponse):
    target = visible(request, DiversityTarget, diversity_target_id)
    set_etag(response, target)
    return target


@router.patch(
    "/diversity-targets/{diversity_target_id}", response=with_errors({200: DiversityTargetOut}, WRITE_ERRORS)
)
def update_diversity_target(
    request,
    diversity_target_id: int,
    payload: DiversityTargetPatch,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    target = visible(request, DiversityTarget, diversity_target_id)
    _require_consent_manager(request, target.study_id)
    target = services.update_diversity_target(
        diversity_target=target,
        changes=model_values(payload),
        by=actor(request),
        reason=payload.reason,
        expected_version=expected_version(payload.version, if_match),
    )
    set_etag(response, target)
    return target


@router.delete("/diversity-targets/{diversity_target_id}", response=with_errors({204: None}, WRITE_ERRORS))
def delete_diversity_target(
    request, diversity_target_id: int, removal: Query[DeleteQuery], if_match: IfMatch = None
):
    target = visible(request, DiversityTarget, diversity_target_id)
    _require_consent_manager(request, target.study_id)
    services.delete_diversity_target(
        diversity_target=target,
        by=actor(request),
        reason=removal.reason,
        expected_version=expected_version(removal.version, if_match),
    )
    return HttpResponse(status=204)
