"""API operations on site staff's training records and the training flags of a site."""

from django.http import HttpResponse
from ninja import Query, Router, Status

from trialdesk.core.apiutils import (
    READ_ERRORS,
    WRITE_ERRORS,
    IfMatch,
    PageQuery,
    actor,
    expected_version,
    fields_named,
    page_schema,
    paginate,
    referenced,
    set_etag,
    visible_or_404,
    with_errors,
)
from trialdesk.core.permissions import can_work_at_some_site, require
from trialdesk.people import selectors, services
from trialdesk.people.api.scope import API_NAMES, _page_of_list, _people_on_study
from trialdesk.people.models import TrainingRecord
from trialdesk.people.schemas import (
    StaffTrainingOut,
    TrainingFilters,
    TrainingRecordIn,
    TrainingRecordOut,
    TrainingRecordPatch,
)
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import ProtocolVersion, Study

router = Router(tags=["people"])


# Training ----------------------------------------------------------------------------------------------


@router.get(
    "/studies/{study_id}/training-records",
    response=with_errors({200: page_schema(TrainingRecordOut)}, READ_ERRORS),
)
def list_training_records(request, study_id: int, filters: Query[TrainingFilters]):
    """The study's training records at the sites you see (study-wide ones included)."""
    study = visible_or_404(request, Study, study_id)
    rows = selectors.training_records_for(actor(request), study)
    if filters.staff_member_id:
        rows = rows.filter(staff_member_id=filters.staff_member_id)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    return paginate(rows, filters)


@router.post(
    "/studies/{study_id}/training-records", response=with_errors({201: TrainingRecordOut}, WRITE_ERRORS)
)
def create_training_record(request, study_id: int, payload: TrainingRecordIn):
    """File a training: GCP certificate (with expiry), protocol version, or system training."""
    study = visible_or_404(request, Study, study_id)
    user = actor(request)
    require(can_work_at_some_site(user, study.pk), services.ONLY_TRAINING_KEEPERS)
    sites = StudySite.objects.visible_to(user).filter(study=study)
    with fields_named(API_NAMES):
        record = services.record_training(
            study=study,
            staff_member=referenced(
                _people_on_study(study.pk), payload.staff_member_id, field="staff_member_id"
            ),
            study_site=referenced(sites, payload.study_site_id, field="study_site_id"),
            protocol_version=referenced(
                ProtocolVersion.objects.filter(study=study),
                payload.protocol_version_id,
                field="protocol_version_id",
            ),
            kind=payload.kind.value,
            completed_on=payload.completed_on,
            expires_on=payload.expires_on,
            title=payload.title,
            provider=payload.provider,
            certificate_reference=payload.certificate_reference,
            by=user,
            reason=payload.reason,
        )
    return Status(201, record)


@router.get(
    "/training-records/{training_record_id}", response=with_errors({200: TrainingRecordOut}, READ_ERRORS)
)
def get_training_record(request, training_record_id: int, response: HttpResponse):
    record = visible_or_404(request, TrainingRecord, training_record_id, "staff_member", "study_site")
    set_etag(response, record)
    return record


@router.patch(
    "/training-records/{training_record_id}", response=with_errors({200: TrainingRecordOut}, WRITE_ERRORS)
)
def correct_training_record(
    request,
    training_record_id: int,
    payload: TrainingRecordPatch,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    """Correct a training record (dates, title, provider, reference); a reason is required."""
    record = visible_or_404(request, TrainingRecord, training_record_id, "staff_member", "study_site")
    record = services.correct_training(
        record=record,
        changes=payload.model_dump(exclude_unset=True, exclude={"reason", "version"}),
        by=actor(request),
        reason=payload.reason,
        expected_version=expected_version(payload.version, if_match),
    )
    set_etag(response, record)
    return record


@router.get(
    "/study-sites/{study_site_id}/training-flags",
    response=with_errors({200: page_schema(StaffTrainingOut)}, READ_ERRORS),
)
def list_training_flags(request, study_site_id: int, page: Query[PageQuery]):
    """The site's staff whose training is not current for the study's current protocol version."""
    site = visible_or_404(request, StudySite, study_site_id, "institution", "study")
    return _page_of_list(
        [
            {
                "staff_member_id": person.pk,
                "staff_member": person.get_full_name() or person.username,
                "training_gaps": gaps,
            }
            for person, gaps in selectors.site_training_flags(site)
        ],
        page,
    )
