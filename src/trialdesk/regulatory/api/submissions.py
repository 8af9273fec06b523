"""API operations on submissions and their decisions, ethics approvals and a site's activation checklist."""

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
    model_values,
    page_schema,
    paginate,
    set_etag,
    visible_or_404,
    with_errors,
)
from trialdesk.core.permissions import can_work_at_some_site, require
from trialdesk.regulatory import selectors, services
from trialdesk.regulatory.api.scope import BODY_NAMES, _visible_study
from trialdesk.regulatory.models import Submission
from trialdesk.regulatory.schemas import (
    ActivationItemOut,
    DecisionIn,
    EthicsStandingOut,
    SubmissionFilters,
    SubmissionIn,
    SubmissionOut,
    SubmissionPatch,
)
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import ProtocolVersion, Study

router = Router(tags=["regulatory"])


# Submissions and approvals ----------------------------------------------------------------------------


def _submission_out(submission: Submission) -> dict:
    values = {f.attname: getattr(submission, f.attname) for f in Submission._meta.concrete_fields}
    values.update(
        id=submission.pk, recipient=submission.recipient_name, documents_included=submission.documents
    )
    return values


def _references(request, study: Study) -> dict:
    user = actor(request)
    return {
        "study_site_id": ("study_site", StudySite.objects.visible_to(user).filter(study=study)),
        "ethics_committee_id": ("ethics_committee", selectors.committees_for(user)),
        "authority_id": ("authority", selectors.authorities()),
        "protocol_version_id": (
            "protocol_version",
            ProtocolVersion.objects.visible_to(user).filter(study=study),
        ),
    }


@router.get(
    "/studies/{study_id}/submissions", response=with_errors({200: page_schema(SubmissionOut)}, READ_ERRORS)
)
def list_submissions(request, study_id: int, filters: Query[SubmissionFilters]):
    """The study's submissions the user may see: study-wide, by country, and of their sites."""
    study = _visible_study(request, study_id)
    submissions = selectors.submissions_for(actor(request), study)
    if filters.kind:
        submissions = submissions.filter(kind=filters.kind)
    if filters.study_site_id:
        submissions = submissions.filter(study_site_id=filters.study_site_id)
    page = paginate(submissions, filters)
    page["items"] = [_submission_out(s) for s in page["items"]]
    return page


@router.post("/studies/{study_id}/submissions", response=with_errors({201: SubmissionOut}, WRITE_ERRORS))
def create_submission(request, study_id: int, payload: SubmissionIn):
    """Record a submission, and its decision when already known."""
    study = _visible_study(request, study_id)
    user = actor(request)
    require(can_work_at_some_site(user, study.pk), services.ONLY_SUBMITTERS)
    values = model_values(payload, references=_references(request, study))
    values["documents_included"] = "\n".join(
        d.strip() for d in values.get("documents_included", []) if d.strip()
    )
    values["outcome"] = values.get("outcome") or ""
    with fields_named(BODY_NAMES):
        submission = services.create_submission(study=study, by=user, reason=payload.reason, **values)
    return Status(201, _submission_out(submission))


@router.get("/submissions/{submission_id}", response=with_errors({200: SubmissionOut}, READ_ERRORS))
def get_submission(request, submission_id: int, response: HttpResponse):
    submission = visible_or_404(request, Submission, submission_id, "ethics_committee", "authority")
    set_etag(response, submission)
    return _submission_out(submission)


def _require_submitter(request, submission: Submission) -> None:
    require(
        services.may_record_submission(
            actor(request), study_id=submission.study_id, study_site=submission.study_site
        ),
        services.ONLY_SUBMITTERS,
    )


@router.patch("/submissions/{submission_id}", response=with_errors({200: SubmissionOut}, WRITE_ERRORS))
def update_submission(
    request, submission_id: int, payload: SubmissionPatch, response: HttpResponse, if_match: IfMatch = None
):
    submission = visible_or_404(request, Submission, submission_id, "study_site__institution")
    _require_submitter(request, submission)
    changes = model_values(payload)
    if "documents_included" in changes:
        changes["documents_included"] = "\n".join(
            d.strip() for d in changes["documents_included"] if d.strip()
        )
    with fields_named(BODY_NAMES):
        submission = services.update_submission(
            submission=submission,
            changes=changes,
            by=actor(request),
            reason=payload.reason,
            expected_version=expected_version(payload.version, if_match),
        )
    set_etag(response, submission)
    return _submission_out(submission)


@router.post(
    "/submissions/{submission_id}/decision", response=with_errors({200: SubmissionOut}, WRITE_ERRORS)
)
def record_decision(
    request, submission_id: int, payload: DecisionIn, response: HttpResponse, if_match: IfMatch = None
):
    """Record the outcome: approved (with conditions), rejected or acknowledged, its date and expiry."""
    submission = visible_or_404(request, Submission, submission_id, "study_site__institution")
    _require_submitter(request, submission)
    submission = services.record_decision(
        submission=submission,
        outcome=payload.outcome,
        decided_on=payload.decided_on,
        expires_on=payload.expires_on,
        conditions=payload.conditions,
        reference=payload.reference,
        regulated_by=payload.regulated_by,
        continuing_review_exemption=payload.continuing_review_exemption,
        by=actor(request),
        reason=payload.reason,
        expected_version=expected_version(payload.version, if_match),
    )
    set_etag(response, submission)
    return _submission_out(submission)


def _page_of(items: list, page: PageQuery) -> dict:
    """One page of a list computed in Python (the lists here are one row per site)."""
    return {
        "count": len(items),
        "limit": page.limit,
        "offset": page.offset,
        "items": items[page.offset : page.offset + page.limit],
    }


@router.get(
    "/studies/{study_id}/ethics-approvals",
    response=with_errors({200: page_schema(EthicsStandingOut)}, READ_ERRORS),
)
def ethics_approvals(request, study_id: int, page: Query[PageQuery]):
    """Per site the user may see: the ethics approval in force today, its last day (continuing review due),
    the countdown, and why enrollment is refused there today (or null)."""
    study = _visible_study(request, study_id)
    board = [
        {
            "study_site_id": standing.site.pk,
            "site": standing.site.site_number,
            "approved_on": standing.approval.approved_on if standing.approval else None,
            "valid_until": standing.approval.valid_until if standing.approval else None,
            "days_left": standing.days_left,
            "countdown": standing.countdown,
            "enrollment_block": standing.block,
            "basis": standing.approval.basis if standing.approval else "",
            "basis_citation": standing.approval.citation if standing.approval else "",
            "basis_verified": standing.approval.verified if standing.approval else True,
            "report_due": standing.report_due,
        }
        for standing in selectors.approval_board(actor(request), study)
    ]
    return _page_of(board, page)


@router.get(
    "/study-sites/{study_site_id}/activation-checklist",
    response=with_errors({200: page_schema(ActivationItemOut)}, READ_ERRORS),
)
def activation_checklist(request, study_site_id: int, page: Query[PageQuery]):
    """What the site needs before activation, from the study's needs and its country's rules."""
    site = visible_or_404(request, StudySite, study_site_id, "institution")
    return _page_of(selectors.activation_checklist(site), page)
