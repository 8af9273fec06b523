"""API operations on ethics committees, authorities, submissions and approvals, and amendment checklists.

Reads start from what the user may see (out of scope answers 404); writes go through regulatory.services,
asking the permission question first so a read-only role hears 403 rather than a complaint about input.
"""

from django.http import HttpResponse
from ninja import Query, Router, Status

from trialdesk.core.apiutils import (
    CREATE_ERRORS,
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
    referenced,
    set_etag,
    visible_or_404,
    with_errors,
)
from trialdesk.core.permissions import (
    can_manage_institutions,
    can_manage_study,
    can_work_at_some_site,
    require,
)
from trialdesk.regulatory import selectors, services
from trialdesk.regulatory.models import (
    AmendmentImplementation,
    EthicsCommittee,
    Submission,
)
from trialdesk.regulatory.schemas import (
    ActivationItemOut,
    AmendmentIn,
    AmendmentOut,
    AuthorityOut,
    CommitteeFilters,
    CommitteeIn,
    CommitteeOut,
    CommitteePatch,
    DecisionIn,
    DeviationRecordedOut,
    EthicsStandingOut,
    SubmissionFilters,
    SubmissionIn,
    SubmissionOut,
    SubmissionPatch,
    TaskIn,
    TaskOut,
)
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import ProtocolVersion, Study

router = Router(tags=["regulatory"])

# The body names a reference by its id; the services name the relation.
BODY_NAMES = {
    "ethics_committee": "ethics_committee_id",
    "authority": "authority_id",
    "protocol_version": "protocol_version_id",
    "study_site": "study_site_id",
}


# Committees and authorities ---------------------------------------------------------------------------


@router.get("/ethics-committees", response=with_errors({200: page_schema(CommitteeOut)}, READ_ERRORS))
def list_committees(request, filters: Query[CommitteeFilters]):
    """The ethics committee directory."""
    committees = selectors.committees_for(actor(request))
    if filters.country:
        committees = committees.filter(country=filters.country.strip().upper())
    return paginate(committees, filters)


@router.post("/ethics-committees", response=with_errors({201: CommitteeOut}, CREATE_ERRORS))
def create_committee(request, payload: CommitteeIn):
    """Add a committee to the directory (administrators and CRMs)."""
    require(can_manage_institutions(actor(request)), services.ONLY_DIRECTORY_KEEPERS)
    return Status(
        201, services.create_committee(by=actor(request), reason=payload.reason, **model_values(payload))
    )


@router.get(
    "/ethics-committees/{ethics_committee_id}", response=with_errors({200: CommitteeOut}, READ_ERRORS)
)
def get_committee(request, ethics_committee_id: int, response: HttpResponse):
    committee = visible_or_404(request, EthicsCommittee, ethics_committee_id)
    set_etag(response, committee)
    return committee


@router.patch(
    "/ethics-committees/{ethics_committee_id}", response=with_errors({200: CommitteeOut}, WRITE_ERRORS)
)
def update_committee(
    request,
    ethics_committee_id: int,
    payload: CommitteePatch,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    committee = visible_or_404(request, EthicsCommittee, ethics_committee_id)
    require(can_manage_institutions(actor(request)), services.ONLY_DIRECTORY_KEEPERS)
    committee = services.update_committee(
        committee=committee,
        changes=model_values(payload),
        by=actor(request),
        reason=payload.reason,
        expected_version=expected_version(payload.version, if_match),
    )
    set_etag(response, committee)
    return committee


@router.get("/regulatory-authorities", response=with_errors({200: page_schema(AuthorityOut)}, READ_ERRORS))
def list_authorities(request, page: Query[PageQuery]):
    """The regulatory authorities shipped with Trialdesk (reference data, read-only)."""
    return paginate(selectors.authorities(), page)


# Submissions and approvals ----------------------------------------------------------------------------


def _submission_out(submission: Submission) -> dict:
    values = {f.attname: getattr(submission, f.attname) for f in Submission._meta.concrete_fields}
    values.update(
        id=submission.pk, recipient=submission.recipient_name, documents_included=submission.documents
    )
    return values


def _visible_study(request, study_id: int) -> Study:
    return visible_or_404(request, Study, study_id)


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
