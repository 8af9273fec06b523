"""API operations on the screening log, participants (create = enroll), their consents, status and
withdrawals, and the re-consent list."""

from django.http import HttpResponse
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
    with_errors,
)
from trialdesk.core.permissions import require
from trialdesk.sites.models import StudySite
from trialdesk.subjects import selectors, services
from trialdesk.subjects.api.scope import (
    API_NAMES,
    demographics_values,
    require_site_staff,
    visible,
    visible_study,
)
from trialdesk.subjects.models import ConsentVersion, Participant, ScreeningEntry
from trialdesk.subjects.permissions import (
    can_record_participants_in_study,
)
from trialdesk.subjects.schemas import (
    ConsentIn,
    ConsentOut,
    ParticipantFilters,
    ParticipantIn,
    ParticipantOut,
    ParticipantPatch,
    ParticipantTransitionIn,
    ReconsentOut,
    ScreeningEntryIn,
    ScreeningEntryOut,
    ScreeningEntryPatch,
    WithdrawalIn,
    WithdrawalOut,
)
from trialdesk.subjects.services.screening import SITE_STAFF_ONLY

router = Router(tags=["participants"])

# Screening log -------------------------------------------------------------------------------------


@router.get(
    "/study-sites/{study_site_id}/screening-entries",
    response=with_errors({200: page_schema(ScreeningEntryOut)}, SUBJECT_LEVEL_READ_ERRORS),
    openapi_extra=SUBJECT_LEVEL,
)
def list_screening_entries(request, study_site_id: int, page: Query[PageQuery]):
    """The site's screening log, latest first."""
    site = visible(request, StudySite, study_site_id)
    require_subject_level(request, site.study_id, "screening entries")
    return paginate(selectors.screening_entries_for(actor(request), site), page)


@router.post(
    "/study-sites/{study_site_id}/screening-entries",
    response=with_errors({201: ScreeningEntryOut}, WRITE_ERRORS),
)
def create_screening_entry(request, study_site_id: int, payload: ScreeningEntryIn):
    """Add a person screened at the site; a screen failure needs its coded reason."""
    site = visible(request, StudySite, study_site_id, "institution")
    require_site_staff(request, site)
    entry = services.create_screening_entry(
        study_site=site, by=actor(request), reason=payload.reason, **model_values(payload)
    )
    return Status(201, entry)


@router.get(
    "/screening-entries/{screening_entry_id}", response=with_errors({200: ScreeningEntryOut}, READ_ERRORS)
)
def get_screening_entry(request, screening_entry_id: int, response: HttpResponse):
    entry = visible(request, ScreeningEntry, screening_entry_id, "participant")
    set_etag(response, entry)
    return entry


@router.patch(
    "/screening-entries/{screening_entry_id}", response=with_errors({200: ScreeningEntryOut}, WRITE_ERRORS)
)
def update_screening_entry(
    request,
    screening_entry_id: int,
    payload: ScreeningEntryPatch,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    """Change an entry, e.g. its outcome; needs a reason and the version read."""
    entry = visible(request, ScreeningEntry, screening_entry_id, "study_site__institution")
    require_site_staff(request, entry.study_site)
    entry = services.update_screening_entry(
        screening_entry=entry,
        changes=model_values(payload),
        by=actor(request),
        reason=payload.reason,
        expected_version=expected_version(payload.version, if_match),
    )
    set_etag(response, entry)
    return entry


@router.get(
    "/screening-entries/{screening_entry_id}/consents",
    response=with_errors({200: page_schema(ConsentOut)}, READ_ERRORS),
)
def list_screening_consents(request, screening_entry_id: int, page: Query[PageQuery]):
    entry = visible(request, ScreeningEntry, screening_entry_id)
    consents = selectors.consents_of_screening_for(actor(request), entry)
    return paginate(consents, page)


def _record_consent(request, payload: ConsentIn, **person):
    user = actor(request)
    site = (person.get("participant") or person.get("screening_entry")).study_site
    require_site_staff(request, site)
    version = referenced(
        ConsentVersion.objects.visible_to(user), payload.consent_version_id, field="consent_version_id"
    )
    with fields_named(API_NAMES):
        consent = services.record_consent(
            consent_version=version,
            signed_at=payload.signed_at,
            obtained_by=payload.obtained_by,
            optional_items=payload.optional_items,
            reason=payload.reason,
            signer=payload.signer,
            representative_relationship=payload.representative_relationship,
            minor_assent=payload.minor_assent,
            age_at_signing=payload.age_at_signing,
            majority_on=payload.majority_on,
            by=user,
            **person,
        )
    return Status(201, consent)


@router.post(
    "/screening-entries/{screening_entry_id}/consents", response=with_errors({201: ConsentOut}, WRITE_ERRORS)
)
def record_screening_consent(request, screening_entry_id: int, payload: ConsentIn):
    """Record the consent a screened person signed, before enrollment."""
    entry = visible(request, ScreeningEntry, screening_entry_id, "study_site__institution")
    return _record_consent(request, payload, screening_entry=entry)


# Participants --------------------------------------------------------------------------------------


@router.get(
    "/studies/{study_id}/participants",
    response=with_errors({200: page_schema(ParticipantOut)}, SUBJECT_LEVEL_READ_ERRORS),
    openapi_extra=SUBJECT_LEVEL,
)
def list_participants(request, study_id: int, filters: Query[ParticipantFilters]):
    """The study's participants the user may see, by number."""
    study = visible_study(request, study_id)
    require_subject_level(request, study.pk, "participants")
    participants = selectors.participants_for(actor(request), study).order_by("number")
    if filters.study_site_id is not None:
        participants = participants.filter(study_site_id=filters.study_site_id)
    if filters.status is not None:
        participants = participants.filter(status=filters.status)
    return paginate(participants, filters)


@router.post("/studies/{study_id}/participants", response=with_errors({201: ParticipantOut}, WRITE_ERRORS))
def enroll_participant(request, study_id: int, payload: ParticipantIn):
    """Enroll a person who passed screening. Refused, with the reason, when there is no consent on the
    version the site currently uses, the consent is dated after enrollment, the site is not enrolling,
    or the study's or site's target is reached and over-enrollment is not allowed."""
    user = actor(request)
    study = visible_study(request, study_id)
    require(can_record_participants_in_study(user, study.pk), SITE_STAFF_ONLY)
    entries = ScreeningEntry.objects.visible_to(user).filter(study=study).select_related("study_site")
    entry = referenced(entries, payload.screening_entry_id, field="screening_entry_id")
    demographics = demographics_values(
        payload.model_dump(exclude_unset=True, include=set(services.DEMOGRAPHIC_FIELDS))
    )
    with fields_named(API_NAMES):
        participant = services.enroll_participant(
            screening_entry=entry,
            by=user,
            enrolled_on=payload.enrolled_on,
            number=payload.number,
            reason=payload.reason,
            demographics=demographics,
        )
    return Status(201, participant)


@router.get("/participants/{participant_id}", response=with_errors({200: ParticipantOut}, READ_ERRORS))
def get_participant(request, participant_id: int, response: HttpResponse):
    participant = visible(request, Participant, participant_id)
    set_etag(response, participant)
    return participant


@router.patch("/participants/{participant_id}", response=with_errors({200: ParticipantOut}, WRITE_ERRORS))
def update_participant(
    request, participant_id: int, payload: ParticipantPatch, response: HttpResponse, if_match: IfMatch = None
):
    """Change the participant's optional demographics; needs a reason and the version read."""
    participant = visible(request, Participant, participant_id, "study_site__institution")
    require_site_staff(request, participant.study_site)
    participant = services.update_participant(
        participant=participant,
        changes=demographics_values(model_values(payload)),
        by=actor(request),
        reason=payload.reason,
        expected_version=expected_version(payload.version, if_match),
    )
    set_etag(response, participant)
    return participant


@router.post(
    "/participants/{participant_id}/transition", response=with_errors({200: ParticipantOut}, WRITE_ERRORS)
)
def transition_participant(
    request,
    participant_id: int,
    payload: ParticipantTransitionIn,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    """Move a participant: screening → enrolled → randomized → on treatment → follow-up → completed, or
    withdrawn / lost to follow-up / died from any active status; the reason is kept as the end reason."""
    participant = visible(request, Participant, participant_id, "study", "study_site__institution")
    require_site_staff(request, participant.study_site)
    with fields_named(API_NAMES):
        participant = services.change_participant_status(
            participant=participant,
            to=payload.to,
            on=payload.on,
            reason=payload.reason,
            by=actor(request),
            expected_version=expected_version(payload.version, if_match),
        )
    set_etag(response, participant)
    return participant


@router.get(
    "/participants/{participant_id}/consents",
    response=with_errors({200: page_schema(ConsentOut)}, READ_ERRORS),
)
def list_participant_consents(request, participant_id: int, page: Query[PageQuery]):
    """The participant's consent history, oldest first."""
    participant = visible(request, Participant, participant_id)
    return paginate(selectors.consents_for(actor(request), participant), page)


@router.post("/participants/{participant_id}/consents", response=with_errors({201: ConsentOut}, WRITE_ERRORS))
def record_participant_consent(request, participant_id: int, payload: ConsentIn):
    """Record a consent the participant signed, e.g. re-consent on a newly approved version."""
    participant = visible(request, Participant, participant_id, "study_site__institution")
    return _record_consent(request, payload, participant=participant)


@router.get(
    "/participants/{participant_id}/withdrawals",
    response=with_errors({200: page_schema(WithdrawalOut)}, READ_ERRORS),
)
def list_consent_withdrawals(request, participant_id: int, page: Query[PageQuery]):
    participant = visible(request, Participant, participant_id)
    return paginate(selectors.withdrawals_for(actor(request), participant), page)


@router.post(
    "/participants/{participant_id}/withdrawals", response=with_errors({201: WithdrawalOut}, WRITE_ERRORS)
)
def withdraw_consent(request, participant_id: int, payload: WithdrawalIn):
    """Record a withdrawal of consent; a full withdrawal also makes the participant withdrawn."""
    participant = visible(request, Participant, participant_id, "study_site__institution")
    require_site_staff(request, participant.study_site)
    withdrawal = services.withdraw_consent(
        participant=participant,
        withdrawn_on=payload.withdrawn_on,
        scope=payload.scope,
        what_continues=payload.what_continues,
        reason=payload.reason,
        by=actor(request),
    )
    return Status(201, withdrawal)


# Re-consent ----------------------------------------------------------------------------------------


@router.get(
    "/studies/{study_id}/reconsent",
    response=with_errors({200: page_schema(ReconsentOut)}, SUBJECT_LEVEL_READ_ERRORS),
    openapi_extra=SUBJECT_LEVEL,
)
def list_reconsent(request, study_id: int, page: Query[PageQuery]):
    """Active participants who must re-consent on a new version, overdue first, then by due date."""
    study = visible_study(request, study_id)
    require_subject_level(request, study.pk, "participants due to re-consent")
    items = selectors.reconsent_worklist(actor(request), study)
    return {
        "count": len(items),
        "limit": page.limit,
        "offset": page.offset,
        "items": [_reconsent_item(item) for item in items[page.offset : page.offset + page.limit]],
    }


def _reconsent_item(item: selectors.ReconsentItem) -> dict:
    return {
        "participant_id": item.participant.pk,
        "participant_number": item.participant.number,
        "study_site_id": item.participant.study_site_id,
        "consent_version_id": item.consent_version.pk,
        "consent_version_label": item.consent_version.label,
        "language": item.consent_version.language,
        "signed_version_id": item.signed_version.pk if item.signed_version else None,
        "approved_on": item.approved_on,
        "due_on": item.due_on,
        "is_overdue": item.is_overdue,
        "why": item.why,
    }
