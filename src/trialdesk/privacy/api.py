"""The privacy part of the JSON API (issue 20): the register of a study, the identifier scan, the study's
privacy settings, purposes, transfer safeguards, legal holds, and the data-subject request log with each
request's export. Reads start from what the caller may see (404 outside it); a reader without a privacy
role on a study they see gets `hidden: true`; writes ask the permission question first (403)."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Query, Router

from trialdesk.core.apiutils import (
    READ_ERRORS,
    WRITE_ERRORS,
    PageQuery,
    actor,
    page_schema,
    paginate,
    referenced,
    visible_or_404,
    with_errors,
)
from trialdesk.core.models import User
from trialdesk.privacy import access, register, scan
from trialdesk.privacy.models import DataSubjectRequest, LegalHold, StudyPrivacy
from trialdesk.privacy.permissions import can_read_privacy
from trialdesk.privacy.schemas import (
    CloseIn,
    EntryCreatedOut,
    ExtendIn,
    HoldIn,
    HoldOut,
    LiftIn,
    PersonExportOut,
    PurposeIn,
    RegisterOut,
    RequestIn,
    RequestOut,
    SafeguardIn,
    ScanOut,
    SettingsIn,
    SettingsOut,
)
from trialdesk.privacy.services import entries, requests
from trialdesk.studies.models import Study

router = Router(tags=["privacy"])


def _study(request, study_id: int) -> Study:
    return visible_or_404(request, Study, study_id)


def _people(study: Study):
    """The people who hold a role on the study or at one of its sites."""
    return User.objects.filter(role_assignments__study=study) | User.objects.filter(
        role_assignments__study_site__study=study
    )


@router.get(
    "/privacy-registers/{study_id}", response=with_errors({200: RegisterOut}, READ_ERRORS), by_alias=True
)
def study_register(request, study_id: int):
    """The study's record of processing (GDPR Art 30): categories of personal data with their purposes and
    legal bases, recipients by role, transfers between countries (flagged where no safeguard is recorded)
    and retention periods. Readers without a privacy role on the study get `hidden: true`."""
    study = _study(request, study_id)
    if not can_read_privacy(actor(request), study.pk):
        return {"hidden": True}
    return {"hidden": False, **register.study_register(study)}


@router.get("/identifier-scans/{study_id}", response=with_errors({200: ScanOut}, READ_ERRORS))
def identifier_scan(request, study_id: int):
    """Likely direct identifiers in the study's free-text fields, each identifier masked in its excerpt;
    findings in records the reader may not see are only counted."""
    study = _study(request, study_id)
    if not can_read_privacy(actor(request), study.pk):
        return {"hidden": True}
    found, hidden = scan.scan_visible(actor(request), study_id=study.pk)
    return {"hidden": False, "findings": [f.as_json() for f in found], "hidden_findings": hidden}


@router.post("/studies/{study_id}/privacy-settings", response=with_errors({200: SettingsOut}, WRITE_ERRORS))
def save_settings(request, study_id: int, payload: SettingsIn):
    """Record or change the sponsor's country, the end of the trial and the candidate pool period; a
    change needs the `version` read and a `reason`."""
    study = _study(request, study_id)
    values = payload.model_dump(exclude={"reason", "version"})
    exists = StudyPrivacy.objects.filter(study=study).exists()
    if exists and payload.version is None:
        entries.require_keeper(actor(request), study)
        raise ValidationError({"version": "Send the version you read to change the recorded settings."})
    saved = entries.save_settings(
        study=study, values=values, by=actor(request), reason=payload.reason, expected_version=payload.version
    )
    return saved


@router.post(
    "/studies/{study_id}/processing-purposes", response=with_errors({201: EntryCreatedOut}, WRITE_ERRORS)
)
def add_purpose(request, study_id: int, payload: PurposeIn):
    """A purpose for which the study processes a category of personal data, with its legal basis."""
    purpose = entries.create_purpose(
        study=_study(request, study_id), values=payload.model_dump(), by=actor(request)
    )
    return 201, {"id": purpose.pk, "version": purpose.version}


@router.post(
    "/studies/{study_id}/transfer-safeguards", response=with_errors({201: EntryCreatedOut}, WRITE_ERRORS)
)
def add_safeguard(request, study_id: int, payload: SafeguardIn):
    """The safeguard a transfer between two countries rests on (adequacy decision, SCCs, other)."""
    values = payload.model_dump()
    safeguard = entries.create_safeguard(study=_study(request, study_id), values=values, by=actor(request))
    return 201, {"id": safeguard.pk, "version": safeguard.version}


def _hold_out(hold: LegalHold) -> dict:
    return {
        "id": hold.pk,
        "study": hold.study.code,
        "person": str(hold.person) if hold.person_id else None,
        "reason": hold.reason,
        "placed_on": hold.placed_on,
        "lifted_on": hold.lifted_on,
        "version": hold.version,
    }


@router.get("/studies/{study_id}/legal-holds", response=with_errors({200: page_schema(HoldOut)}, READ_ERRORS))
def list_holds(request, study_id: int, page: Query[PageQuery]):
    """The study's legal holds, newest first (lifted ones included)."""
    study = _study(request, study_id)
    rows = LegalHold.objects.visible_to(actor(request)).filter(study=study).select_related("study", "person")
    result = paginate(rows, page)
    return {**result, "items": [_hold_out(hold) for hold in result["items"]]}


@router.post("/studies/{study_id}/legal-holds", response=with_errors({201: HoldOut}, WRITE_ERRORS))
def place_hold(request, study_id: int, payload: HoldIn):
    """Keep the study's records (or one person's) from the purge until the hold is lifted."""
    study = _study(request, study_id)
    entries.require_keeper(actor(request), study)
    values = payload.model_dump(exclude={"person_id"})
    values["person"] = referenced(_people(study).distinct(), payload.person_id, field="person_id")
    return 201, _hold_out(entries.place_hold(study=study, values=values, by=actor(request)))


@router.post("/legal-holds/{legal_hold_id}/lift", response=with_errors({200: HoldOut}, WRITE_ERRORS))
def lift_hold(request, legal_hold_id: int, payload: LiftIn):
    hold = visible_or_404(request, LegalHold, legal_hold_id, "study", "person")
    lifted = entries.lift_hold(
        hold=hold,
        lifted_on=payload.lifted_on,
        by=actor(request),
        reason=payload.reason,
        expected_version=payload.version,
    )
    return _hold_out(lifted)


def _request_out(row: DataSubjectRequest) -> dict:
    return {
        "id": row.pk,
        "study": row.study.code,
        "kind": row.kind,
        "subject_kind": row.subject_kind,
        "person": str(row.person) if row.person_id else None,
        "requester_reference": row.requester_reference,
        "received_on": row.received_on,
        "due_on": row.due_on,
        "extended": row.extended,
        "status": row.status,
        "closed_on": row.closed_on,
        "outcome": row.outcome,
        "overdue": row.is_overdue(timezone.localdate()),
        "version": row.version,
    }


@router.get(
    "/studies/{study_id}/data-subject-requests",
    response=with_errors({200: page_schema(RequestOut)}, READ_ERRORS),
)
def list_requests(request, study_id: int, page: Query[PageQuery]):
    """The study's request log: open requests first, soonest due first (empty to those who do not answer
    requests)."""
    study = _study(request, study_id)
    rows = (
        DataSubjectRequest.objects.visible_to(actor(request))
        .filter(study=study)
        .select_related("study", "person")
    )
    result = paginate(rows, page)
    return {**result, "items": [_request_out(row) for row in result["items"]]}


@router.post(
    "/studies/{study_id}/data-subject-requests", response=with_errors({201: RequestOut}, WRITE_ERRORS)
)
def log_request(request, study_id: int, payload: RequestIn):
    """Log a request received; it is due one month after receipt (GDPR Art 12(3))."""
    study = _study(request, study_id)
    entries.require_keeper(actor(request), study)
    values = payload.model_dump(exclude={"person_id"})
    values["person"] = referenced(_people(study).distinct(), payload.person_id, field="person_id")
    return 201, _request_out(requests.log_request(study=study, values=values, by=actor(request)))


def _request(request, data_subject_request_id: int) -> DataSubjectRequest:
    return visible_or_404(request, DataSubjectRequest, data_subject_request_id, "study", "person")


@router.get(
    "/data-subject-requests/{data_subject_request_id}", response=with_errors({200: RequestOut}, READ_ERRORS)
)
def get_request(request, data_subject_request_id: int):
    return _request_out(_request(request, data_subject_request_id))


@router.post(
    "/data-subject-requests/{data_subject_request_id}/close",
    response=with_errors({200: RequestOut}, WRITE_ERRORS),
)
def close_request(request, data_subject_request_id: int, payload: CloseIn):
    """Close the request as answered (`done`) or `refused`, saying what was done or why not."""
    row = _request(request, data_subject_request_id)
    closed = requests.close_request(
        request=row,
        status=payload.status,
        closed_on=payload.closed_on,
        outcome=payload.outcome,
        by=actor(request),
        expected_version=payload.version,
    )
    return _request_out(closed)


@router.post(
    "/data-subject-requests/{data_subject_request_id}/extend",
    response=with_errors({200: RequestOut}, WRITE_ERRORS),
)
def extend_request(request, data_subject_request_id: int, payload: ExtendIn):
    """Extend the deadline by two further months (Art 12(3)); the reason is what the person is told."""
    row = _request(request, data_subject_request_id)
    extended = requests.extend_request(
        request=row, by=actor(request), reason=payload.reason, expected_version=payload.version
    )
    return _request_out(extended)


@router.get(
    "/data-subject-request-exports/{data_subject_request_id}",
    response=with_errors({200: PersonExportOut}, READ_ERRORS),
)
def request_export(request, data_subject_request_id: int):
    """Everything Trialdesk holds about the person who asked (a staff member's account, roles, training,
    delegation, disclosures, requests, holds and the changes they made), or a candidate's pre-screening
    facts under their key in the study's pools, and what an erasure could remove now and what must stay,
    until when."""
    row = _request(request, data_subject_request_id)
    if row.person_id is None:
        document = access.candidate_export(
            row.study, row.requester_reference, today=timezone.localdate(), reader=actor(request)
        )
        return {"subject_kind": row.subject_kind, "held": document, "erasure": document["erasure"]}
    document = access.person_export(row.person, reader=actor(request))
    return {"subject_kind": row.subject_kind, "held": document, "erasure": document["erasure"]}
