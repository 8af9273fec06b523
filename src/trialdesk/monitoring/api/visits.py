"""API operations on monitoring visits and their reports: findings, source reviews, signatures."""

from decimal import Decimal

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from trialdesk.core.apiutils import (
    READ_ERRORS,
    WRITE_ERRORS,
    DeleteQuery,
    IfMatch,
    PageQuery,
    actor,
    expected_version,
    model_values,
    page_schema,
    paginate,
    set_etag,
    visible_or_404,
    with_errors,
)
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.monitoring import selectors, services
from trialdesk.monitoring.models import MonitoringVisit, VisitReport
from trialdesk.monitoring.permissions import (
    ONLY_REVIEWER,
    ONLY_SITE_CRA,
    can_manage_monitoring,
    can_monitor_site,
    can_monitor_some_site,
)
from trialdesk.monitoring.rules import reports as report_rules
from trialdesk.monitoring.schemas.visits import (
    FindingDeviationIn,
    FindingIn,
    FindingOut,
    FindingPatch,
    MonitoringVisitFilters,
    MonitoringVisitIn,
    MonitoringVisitMoveIn,
    MonitoringVisitOut,
    MonitoringVisitPatch,
    ReportOut,
    ReportPatch,
    ReportReturnIn,
    ReportSignIn,
    SourceReviewIn,
    SourceReviewOut,
)
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study
from trialdesk.subjects.models import Participant
from trialdesk.visits.models import ScheduledVisit

router = Router(tags=["monitoring"])


def _visit_out(visit: MonitoringVisit) -> dict:
    report = getattr(visit, "report", None)  # joined by the list (select_related), else one query
    decimals = ("travel_distance_km", "travel_days", "travel_km", "kg_co2e")
    return {
        **{
            name: getattr(visit, name)
            for name in MonitoringVisitOut.model_fields
            if hasattr(visit, name) and name not in decimals
        },
        **{name: None if getattr(visit, name) is None else float(getattr(visit, name)) for name in decimals},
        "site_number": visit.study_site.site_number,
        "cra": visit.cra.username if visit.cra_id else None,
        "report_id": report.pk if report else None,
    }


def decimals(values: dict) -> dict:
    """Distances and days as the tenths the records keep (a JSON number is a binary float)."""
    return {
        name: Decimal(str(round(value, 1)))
        if name in ("travel_distance_km", "travel_days") and value is not None
        else value
        for name, value in values.items()
    }


def _references(request, study: Study) -> dict:
    return {
        "study_site_id": ("study_site", StudySite.objects.visible_to(actor(request)).filter(study=study)),
        "cra_id": ("cra", User.objects.filter(is_active=True)),
    }


@router.get(
    "/studies/{study_id}/monitoring-visits",
    response=with_errors({200: page_schema(MonitoringVisitOut)}, READ_ERRORS),
)
def list_monitoring_visits(request, study_id: int, filters: Query[MonitoringVisitFilters]):
    """The study's monitoring visits the reader may see, newest planned first."""
    study = visible_or_404(request, Study, study_id)
    visits = selectors.visits_for(actor(request)).filter(study=study)
    if filters.study_site_id is not None:
        visits = visits.filter(study_site_id=filters.study_site_id)
    if filters.status:
        visits = visits.filter(status=filters.status)
    if filters.visit_type:
        visits = visits.filter(visit_type=filters.visit_type)
    page = paginate(visits.select_related("report").order_by("-planned_on", "-id"), filters)
    page["items"] = [_visit_out(v) for v in page["items"]]
    return page


@router.post(
    "/studies/{study_id}/monitoring-visits", response=with_errors({201: MonitoringVisitOut}, WRITE_ERRORS)
)
def create_monitoring_visit(request, study_id: int, payload: MonitoringVisitIn):
    """Plan a visit at a site (its CRA or the study's CRM); the CRA must be a monitor of the site."""
    user = actor(request)
    study = visible_or_404(request, Study, study_id)
    require(can_monitor_some_site(user, study.pk), ONLY_SITE_CRA)
    values = model_values(payload, references=_references(request, study))
    site = values.pop("study_site")
    visit = services.schedule_visit(study_site=site, by=user, reason=payload.reason, **decimals(values))
    return Status(201, _visit_out(visit))


def _visit(request, monitoring_visit_id: int) -> MonitoringVisit:
    return get_object_or_404(selectors.visits_for(actor(request)), pk=monitoring_visit_id)


@router.get(
    "/monitoring-visits/{monitoring_visit_id}", response=with_errors({200: MonitoringVisitOut}, READ_ERRORS)
)
def get_monitoring_visit(request, monitoring_visit_id: int, response: HttpResponse):
    visit = _visit(request, monitoring_visit_id)
    set_etag(response, visit)
    return _visit_out(visit)


@router.patch(
    "/monitoring-visits/{monitoring_visit_id}", response=with_errors({200: MonitoringVisitOut}, WRITE_ERRORS)
)
def update_monitoring_visit(
    request,
    monitoring_visit_id: int,
    payload: MonitoringVisitPatch,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    visit = _visit(request, monitoring_visit_id)
    require(can_monitor_site(actor(request), visit.study_site), ONLY_SITE_CRA)
    changes = model_values(payload, references={"cra_id": ("cra", User.objects.filter(is_active=True))})
    visit = services.update_visit(
        visit=visit,
        changes=decimals(changes),
        by=actor(request),
        reason=payload.reason,
        expected_version=expected_version(payload.version, if_match),
    )
    set_etag(response, visit)
    return _visit_out(visit)


@router.post(
    "/monitoring-visits/{monitoring_visit_id}/transition",
    response=with_errors({200: MonitoringVisitOut}, WRITE_ERRORS),
)
def move_monitoring_visit(
    request,
    monitoring_visit_id: int,
    payload: MonitoringVisitMoveIn,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    """confirm (the letter is sent), conduct (opens the report, works out the travel carbon), cancel."""
    visit = _visit(request, monitoring_visit_id)
    require(can_monitor_site(actor(request), visit.study_site), ONLY_SITE_CRA)
    values = payload.model_dump(exclude_none=True, exclude={"to", "reason", "version"})
    version = (
        payload.version if payload.version is not None or not if_match else expected_version(None, if_match)
    )
    visit = services.move_visit(
        visit=visit,
        move=payload.to,
        by=actor(request),
        reason=payload.reason,
        expected_version=version,
        **decimals(values),
    )
    set_etag(response, visit)
    return _visit_out(visit)


# Reports --------------------------------------------------------------------------------------------------


def _report_out(report: VisitReport) -> dict:
    visit_type = report.visit.visit_type
    return {
        **{
            name: getattr(report, name)
            for name in ReportOut.model_fields
            if hasattr(report, name) and name not in ("signatures", "questions")
        },
        "visit_type": visit_type,
        "questions": [q.__dict__ for q in report_rules.template(visit_type)],
        "unanswered": report_rules.unanswered(visit_type, report.answers),
        "signatures": [
            {
                "signer": s.signer.username,
                "printed_name": s.printed_name,
                "meaning": s.meaning,
                "signed_at": s.signed_at,
                "report_version": s.report_version,
                "content_sha256": s.content_sha256,
            }
            for s in report.signatures.select_related("signer").order_by("signed_at", "id")
        ],
    }


def _report(request, visit_report_id: int) -> VisitReport:
    return get_object_or_404(selectors.reports_for(actor(request)), pk=visit_report_id)


@router.get("/visit-reports/{visit_report_id}", response=with_errors({200: ReportOut}, READ_ERRORS))
def get_visit_report(request, visit_report_id: int, response: HttpResponse):
    """The report with its template's questions, what is still unanswered, and its signatures."""
    report = _report(request, visit_report_id)
    set_etag(response, report)
    return _report_out(report)


@router.patch("/visit-reports/{visit_report_id}", response=with_errors({200: ReportOut}, WRITE_ERRORS))
def update_visit_report(
    request, visit_report_id: int, payload: ReportPatch, response: HttpResponse, if_match: IfMatch = None
):
    report = _report(request, visit_report_id)
    require(can_monitor_site(actor(request), report.study_site), ONLY_SITE_CRA)
    answers = None if payload.answers is None else {k: v.model_dump() for k, v in payload.answers.items()}
    version = (
        payload.version if payload.version is not None or not if_match else expected_version(None, if_match)
    )
    report = services.update_report(
        report=report,
        by=actor(request),
        reason=payload.reason,
        expected_version=version,
        answers=answers,
        summary=payload.summary,
    )
    set_etag(response, report)
    return _report_out(report)


@router.post("/visit-reports/{visit_report_id}/submit", response=with_errors({200: ReportOut}, WRITE_ERRORS))
def submit_visit_report(request, visit_report_id: int, payload: ReportSignIn):
    """The CRA signs (re-entering their password) and submits; unanswered required questions are named."""
    report = _report(request, visit_report_id)
    require(can_monitor_site(actor(request), report.study_site), ONLY_SITE_CRA)
    return _report_out(
        services.submit_report(
            report=report, by=actor(request), password=payload.password, expected_version=payload.version
        )
    )


@router.post("/visit-reports/{visit_report_id}/approve", response=with_errors({200: ReportOut}, WRITE_ERRORS))
def approve_visit_report(request, visit_report_id: int, payload: ReportSignIn):
    """The CRM signs the report as reviewed and approved."""
    report = _report(request, visit_report_id)
    require(can_manage_monitoring(actor(request), report.study_id), ONLY_REVIEWER)
    return _report_out(
        services.approve_report(
            report=report, by=actor(request), password=payload.password, expected_version=payload.version
        )
    )


@router.post("/visit-reports/{visit_report_id}/return", response=with_errors({200: ReportOut}, WRITE_ERRORS))
def return_visit_report(request, visit_report_id: int, payload: ReportReturnIn):
    """The CRM returns the report to the CRA with comments."""
    report = _report(request, visit_report_id)
    require(can_manage_monitoring(actor(request), report.study_id), ONLY_REVIEWER)
    return _report_out(
        services.return_report(
            report=report, by=actor(request), comments=payload.comments, expected_version=payload.version
        )
    )


# Findings and source reviews -------------------------------------------------------------------------------


def _finding_out(finding) -> dict:
    return {name: getattr(finding, name) for name in FindingOut.model_fields}


@router.get(
    "/visit-reports/{visit_report_id}/findings",
    response=with_errors({200: page_schema(FindingOut)}, READ_ERRORS),
)
def list_visit_findings(request, visit_report_id: int, page: Query[PageQuery]):
    report = _report(request, visit_report_id)
    found = paginate(selectors.findings_for(actor(request)).filter(report=report).order_by("number"), page)
    found["items"] = [_finding_out(f) for f in found["items"]]
    return found


@router.post(
    "/visit-reports/{visit_report_id}/findings", response=with_errors({201: FindingOut}, WRITE_ERRORS)
)
def create_visit_finding(request, visit_report_id: int, payload: FindingIn):
    report = _report(request, visit_report_id)
    require(can_monitor_site(actor(request), report.study_site), ONLY_SITE_CRA)
    finding = services.add_finding(
        report=report, by=actor(request), reason=payload.reason, **model_values(payload)
    )
    return Status(201, _finding_out(finding))


def _finding(request, finding_id: int):
    return get_object_or_404(selectors.findings_for(actor(request)), pk=finding_id)


@router.get("/findings/{finding_id}", response=with_errors({200: FindingOut}, READ_ERRORS))
def get_finding(request, finding_id: int, response: HttpResponse):
    finding = _finding(request, finding_id)
    set_etag(response, finding)
    return _finding_out(finding)


@router.patch("/findings/{finding_id}", response=with_errors({200: FindingOut}, WRITE_ERRORS))
def update_finding(
    request, finding_id: int, payload: FindingPatch, response: HttpResponse, if_match: IfMatch = None
):
    finding = _finding(request, finding_id)
    require(can_monitor_site(actor(request), finding.study_site), ONLY_SITE_CRA)
    finding = services.update_finding(
        finding=finding,
        changes=model_values(payload),
        by=actor(request),
        reason=payload.reason,
        expected_version=expected_version(payload.version, if_match),
    )
    set_etag(response, finding)
    return _finding_out(finding)


@router.post("/findings/{finding_id}/deviation", response=with_errors({200: FindingOut}, WRITE_ERRORS))
def record_finding_deviation(request, finding_id: int, payload: FindingDeviationIn):
    """Record the protocol deviation the finding shows (the visits app's deviation), linked to it."""
    finding = _finding(request, finding_id)
    require(can_monitor_site(actor(request), finding.study_site), ONLY_SITE_CRA)
    participants = Participant.objects.visible_to(actor(request)).filter(study_site_id=finding.study_site_id)
    values = model_values(payload, references={"participant_id": ("participant", participants)})
    return _finding_out(services.record_finding_deviation(finding=finding, by=actor(request), **values))


def _review_out(review) -> dict:
    return {
        **{
            name: getattr(review, name)
            for name in SourceReviewOut.model_fields
            if name != "participant_number"
        },
        "participant_number": review.participant.number,
    }


@router.get(
    "/visit-reports/{visit_report_id}/source-reviews",
    response=with_errors({200: page_schema(SourceReviewOut)}, READ_ERRORS),
)
def list_source_reviews(request, visit_report_id: int, page: Query[PageQuery]):
    """Participants source-verified or reviewed at the visit (subject-level: hidden from sponsor viewers)."""
    report = _report(request, visit_report_id)
    found = paginate(selectors.source_reviews_for(actor(request)).filter(report=report).order_by("id"), page)
    found["items"] = [_review_out(r) for r in found["items"]]
    return found


@router.post(
    "/visit-reports/{visit_report_id}/source-reviews",
    response=with_errors({201: SourceReviewOut}, WRITE_ERRORS),
)
def create_source_review(request, visit_report_id: int, payload: SourceReviewIn):
    report = _report(request, visit_report_id)
    user = actor(request)
    require(can_monitor_site(user, report.study_site), ONLY_SITE_CRA)
    participants = Participant.objects.visible_to(user).filter(study_site_id=report.study_site_id)
    visits = ScheduledVisit.objects.visible_to(user).filter(participant__study_site_id=report.study_site_id)
    values = model_values(
        payload,
        references={
            "participant_id": ("participant", participants),
            "scheduled_visit_id": ("scheduled_visit", visits),
        },
    )
    return Status(201, _review_out(services.add_source_review(report=report, by=user, **values)))


@router.delete("/source-reviews/{source_review_id}", response=with_errors({204: None}, WRITE_ERRORS))
def delete_source_review(
    request, source_review_id: int, removal: Query[DeleteQuery], if_match: IfMatch = None
):
    review = get_object_or_404(selectors.source_reviews_for(actor(request)), pk=source_review_id)
    require(can_monitor_site(actor(request), review.study_site), ONLY_SITE_CRA)
    services.remove_source_review(
        review=review,
        by=actor(request),
        reason=removal.reason,
        expected_version=expected_version(removal.version, if_match),
    )
    return HttpResponse(status=204)
