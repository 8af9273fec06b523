"""API operations on programs, studies and each study's protocol versions, arms, milestones and audit trail.

Every read starts from what the user may see (out of scope answers 404); every write goes through
studies.services. A write first asks the permission question, so a read-only role hears 403 rather
than a complaint about its input.
"""

from django.http import HttpResponse
from ninja import Field, Query, Router, Status
from pydantic import create_model

from trialdesk.core import extensions
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
from trialdesk.core.permissions import can_create_study, can_manage_study, require
from trialdesk.studies import selectors, services
from trialdesk.studies.models import Arm, Milestone, ProtocolVersion, Study
from trialdesk.studies.schemas import (
    ArmIn,
    ArmOut,
    ArmPatch,
    AuditEventOut,
    MilestoneIn,
    MilestoneOut,
    MilestonePatch,
    ProgramIn,
    ProgramOut,
    ProtocolTransitionIn,
    ProtocolVersionIn,
    ProtocolVersionOut,
    ProtocolVersionPatch,
    StudyFilters,
    StudyIn,
    StudyListItemBase,
    StudyOut,
    StudyPatch,
)

router = Router(tags=["studies"])

# The portfolio's list item: the study's own fields and every portfolio column the apps publish in the
# API (the sites' counts and countries, enrollment). Built when the API is first imported, after every
# app's ready() has registered its columns.
StudyListItemOut = create_model(
    "StudyListItemOut",
    __base__=StudyListItemBase,
    **{
        column.key: (column.api_type, Field(description=column.description))
        for column in extensions.portfolio_columns
        if column.api_type is not None
    },
)


def _require_manager(request, study_id: int) -> None:
    require(can_manage_study(actor(request), study_id))


# Programs ------------------------------------------------------------------------------------------


@router.get("/programs", response=with_errors({200: page_schema(ProgramOut)}, READ_ERRORS))
def list_programs(request, page: Query[PageQuery]):
    """Development programs grouping studies."""
    return paginate(selectors.programs_for(actor(request)), page)


@router.post("/programs", response=with_errors({201: ProgramOut}, CREATE_ERRORS))
def create_program(request, payload: ProgramIn):
    """Set up a development program (administrators and CRMs)."""
    program = services.create_program(name=payload.name, description=payload.description, by=actor(request))
    return Status(201, program)


# Studies -------------------------------------------------------------------------------------------


@router.get("/studies", response=with_errors({200: page_schema(StudyListItemOut)}, READ_ERRORS))
def list_studies(request, filters: Query[StudyFilters]):
    """The user's portfolio: studies with active and planned sites and their countries.

    Takes the same number of queries whatever the number of studies.
    """
    studies = selectors.portfolio_results(
        actor(request),
        status=filters.status or "",
        phase=filters.phase or "",
        therapeutic_area=filters.therapeutic_area,
        search=filters.search,
        sort=filters.sort,
    )
    page = paginate(studies, filters)
    rows = selectors.portfolio_rows(page["items"], user=actor(request), on_page=False)
    page["items"] = [_portfolio_item(row) for row in rows]
    return page


def _portfolio_item(row: selectors.PortfolioRow) -> dict:
    return {
        **{name: getattr(row.study, name) for name in StudyListItemBase.model_fields},
        **{key: value for key, value in row.values.items() if key in StudyListItemOut.model_fields},
    }


@router.post("/studies", response=with_errors({201: StudyOut}, CREATE_ERRORS))
def create_study(request, payload: StudyIn):
    """Set up a study; a CRM who creates one becomes its CRM."""
    user = actor(request)
    require(can_create_study(user), "Only administrators and CRMs set up studies.")
    values = model_values(payload, references={"program_id": ("program", selectors.programs_for(user))})
    return Status(201, services.create_study(by=user, reason=payload.reason, **values))


@router.get("/studies/{study_id}", response=with_errors({200: StudyOut}, READ_ERRORS))
def get_study(request, study_id: int, response: HttpResponse):
    study = visible_or_404(request, Study, study_id)
    set_etag(response, study)
    return study


@router.patch("/studies/{study_id}", response=with_errors({200: StudyOut}, WRITE_ERRORS))
def update_study(
    request, study_id: int, payload: StudyPatch, response: HttpResponse, if_match: IfMatch = None
):
    """Change a study's fields; needs a reason and the version read."""
    user = actor(request)
    study = visible_or_404(request, Study, study_id)
    _require_manager(request, study.pk)
    study = services.update_study(
        study=study,
        changes=model_values(payload, references={"program_id": ("program", selectors.programs_for(user))}),
        by=user,
        reason=payload.reason,
        expected_version=expected_version(payload.version, if_match),
    )
    set_etag(response, study)
    return study


@router.delete("/studies/{study_id}", response=with_errors({204: None}, WRITE_ERRORS))
def delete_study(request, study_id: int, removal: Query[DeleteQuery], if_match: IfMatch = None):
    """Delete a study still in planning with no sites (others are withdrawn or terminated instead)."""
    study = visible_or_404(request, Study, study_id)
    _require_manager(request, study.pk)
    services.delete_study(
        study=study,
        by=actor(request),
        reason=removal.reason,
        expected_version=expected_version(removal.version, if_match),
    )
    return HttpResponse(status=204)


@router.get(
    "/studies/{study_id}/audit-events", response=with_errors({200: page_schema(AuditEventOut)}, READ_ERRORS)
)
def list_audit_events(request, study_id: int, page: Query[PageQuery]):
    """The study's audit trail, newest first; site staff see study-wide events and their own sites'."""
    study = visible_or_404(request, Study, study_id)
    found = paginate(selectors.audit_trail_for(actor(request), study), page)
    # What a reader may not see in an event's values (a blinded reader: the arm) is masked.
    found["items"] = list(extensions.mask_audit_events(found["items"], actor(request)))
    return found


# Protocol versions ---------------------------------------------------------------------------------


@router.get(
    "/studies/{study_id}/protocol-versions",
    response=with_errors({200: page_schema(ProtocolVersionOut)}, READ_ERRORS),
)
def list_protocol_versions(request, study_id: int, page: Query[PageQuery]):
    study = visible_or_404(request, Study, study_id)
    return paginate(selectors.protocol_versions_for(actor(request), study), page)


@router.post(
    "/studies/{study_id}/protocol-versions", response=with_errors({201: ProtocolVersionOut}, WRITE_ERRORS)
)
def create_protocol_version(request, study_id: int, payload: ProtocolVersionIn):
    """Add a protocol version (a draft); later versions are amendments."""
    study = visible_or_404(request, Study, study_id)
    _require_manager(request, study.pk)
    version = services.create_protocol_version(
        study=study, by=actor(request), reason=payload.reason, **model_values(payload)
    )
    return Status(201, version)


@router.get(
    "/protocol-versions/{protocol_version_id}", response=with_errors({200: ProtocolVersionOut}, READ_ERRORS)
)
def get_protocol_version(request, protocol_version_id: int, response: HttpResponse):
    protocol_version = visible_or_404(request, ProtocolVersion, protocol_version_id)
    set_etag(response, protocol_version)
    return protocol_version


@router.patch(
    "/protocol-versions/{protocol_version_id}", response=with_errors({200: ProtocolVersionOut}, WRITE_ERRORS)
)
def update_protocol_version(
    request,
    protocol_version_id: int,
    payload: ProtocolVersionPatch,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    protocol_version = visible_or_404(request, ProtocolVersion, protocol_version_id)
    _require_manager(request, protocol_version.study_id)
    protocol_version = services.update_protocol_version(
        protocol_version=protocol_version,
        changes=model_values(payload),
        by=actor(request),
        reason=payload.reason,
        expected_version=expected_version(payload.version, if_match),
    )
    set_etag(response, protocol_version)
    return protocol_version


@router.post(
    "/protocol-versions/{protocol_version_id}/transition",
    response=with_errors({200: ProtocolVersionOut}, WRITE_ERRORS),
)
def transition_protocol_version(
    request,
    protocol_version_id: int,
    payload: ProtocolTransitionIn,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    """Move a protocol version: draft → submitted → approved → effective → superseded.

    Making a version effective supersedes the one effective before it.
    """
    protocol_version = visible_or_404(request, ProtocolVersion, protocol_version_id)
    _require_manager(request, protocol_version.study_id)
    with fields_named({"status": "to"}):
        protocol_version = services.change_protocol_status(
            protocol_version=protocol_version,
            to=payload.to,
            on=payload.on,
            by=actor(request),
            reason=payload.reason,
            expected_version=expected_version(payload.version, if_match),
        )
    set_etag(response, protocol_version)
    return protocol_version


# Arms ----------------------------------------------------------------------------------------------


@router.get("/studies/{study_id}/arms", response=with_errors({200: page_schema(ArmOut)}, READ_ERRORS))
def list_arms(request, study_id: int, page: Query[PageQuery]):
    study = visible_or_404(request, Study, study_id)
    return paginate(selectors.arms_for(actor(request), study), page)


@router.post("/studies/{study_id}/arms", response=with_errors({201: ArmOut}, WRITE_ERRORS))
def create_arm(request, study_id: int, payload: ArmIn):
    study = visible_or_404(request, Study, study_id)
    _require_manager(request, study.pk)
    arm = services.create_arm(study=study, by=actor(request), reason=payload.reason, **model_values(payload))
    return Status(201, arm)


@router.get("/arms/{arm_id}", response=with_errors({200: ArmOut}, READ_ERRORS))
def get_arm(request, arm_id: int, response: HttpResponse):
    arm = visible_or_404(request, Arm, arm_id)
    set_etag(response, arm)
    return arm


@router.patch("/arms/{arm_id}", response=with_errors({200: ArmOut}, WRITE_ERRORS))
def update_arm(request, arm_id: int, payload: ArmPatch, response: HttpResponse, if_match: IfMatch = None):
    arm = visible_or_404(request, Arm, arm_id)
    _require_manager(request, arm.study_id)
    arm = services.update_arm(
        arm=arm,
        changes=model_values(payload),
        by=actor(request),
        reason=payload.reason,
        expected_version=expected_version(payload.version, if_match),
    )
    set_etag(response, arm)
    return arm


@router.delete("/arms/{arm_id}", response=with_errors({204: None}, WRITE_ERRORS))
def delete_arm(request, arm_id: int, removal: Query[DeleteQuery], if_match: IfMatch = None):
    arm = visible_or_404(request, Arm, arm_id)
    _require_manager(request, arm.study_id)
    services.delete_arm(
        arm=arm,
        by=actor(request),
        reason=removal.reason,
        expected_version=expected_version(removal.version, if_match),
    )
    return HttpResponse(status=204)


# Milestones ----------------------------------------------------------------------------------------


@router.get(
    "/studies/{study_id}/milestones", response=with_errors({200: page_schema(MilestoneOut)}, READ_ERRORS)
)
def list_milestones(request, study_id: int, page: Query[PageQuery]):
    """The study's milestones and its sites' (those the user may see), with variance and lateness."""
    study = visible_or_404(request, Study, study_id)
    return paginate(selectors.milestones_for(actor(request), study), page)


def _site_reference(request):
    return {"study_site_id": ("study_site", selectors.study_sites_visible_to(actor(request)))}


@router.post("/studies/{study_id}/milestones", response=with_errors({201: MilestoneOut}, WRITE_ERRORS))
def create_milestone(request, study_id: int, payload: MilestoneIn):
    study = visible_or_404(request, Study, study_id)
    _require_manager(request, study.pk)
    values = model_values(payload, references=_site_reference(request))
    return Status(
        201, services.create_milestone(study=study, by=actor(request), reason=payload.reason, **values)
    )


@router.get("/milestones/{milestone_id}", response=with_errors({200: MilestoneOut}, READ_ERRORS))
def get_milestone(request, milestone_id: int, response: HttpResponse):
    milestone = visible_or_404(request, Milestone, milestone_id, "study_site__institution")
    set_etag(response, milestone)
    return milestone


@router.patch("/milestones/{milestone_id}", response=with_errors({200: MilestoneOut}, WRITE_ERRORS))
def update_milestone(
    request, milestone_id: int, payload: MilestonePatch, response: HttpResponse, if_match: IfMatch = None
):
    """Change a milestone's dates or note; an actual date may not be in the future."""
    milestone = visible_or_404(request, Milestone, milestone_id, "study_site__institution")
    _require_manager(request, milestone.study_id)
    milestone = services.update_milestone(
        milestone=milestone,
        changes=model_values(payload, references=_site_reference(request)),
        by=actor(request),
        reason=payload.reason,
        expected_version=expected_version(payload.version, if_match),
    )
    set_etag(response, milestone)
    return milestone


@router.delete("/milestones/{milestone_id}", response=with_errors({204: None}, WRITE_ERRORS))
def delete_milestone(request, milestone_id: int, removal: Query[DeleteQuery], if_match: IfMatch = None):
    milestone = visible_or_404(request, Milestone, milestone_id, "study_site__institution")
    _require_manager(request, milestone.study_id)
    services.delete_milestone(
        milestone=milestone,
        by=actor(request),
        reason=removal.reason,
        expected_version=expected_version(removal.version, if_match),
    )
    return HttpResponse(status=204)
