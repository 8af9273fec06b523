"""Writes of visit reports: answers and summary, findings (and the deviations they show), participants
source-verified, the CRA's signed submission and the CRM's signed approval or return with comments."""

import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from trialdesk.core import esign, records
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.core.roles import Role
from trialdesk.core.scoping import role_facts
from trialdesk.monitoring.models import Finding, Meaning, ReportSignature, SourceReview, VisitReport
from trialdesk.monitoring.permissions import (
    ONLY_REVIEWER,
    ONLY_SITE_CRA,
    can_manage_monitoring,
    can_monitor_site,
)
from trialdesk.monitoring.rules import reports as rules
from trialdesk.monitoring.services.numbering import next_number
from trialdesk.notifications.services import crms_of, notify
from trialdesk.visits import services as visit_services

ONLY_A_CRA_SUBMITS = "A report is submitted by a CRA of the site (a monitor assigned to it)."
NOT_YOUR_OWN = gettext_noop("The report's author cannot also approve it: another CRM reviews it.")
FINDING_FIELDS = ("category", "severity", "description")
# A finding's category as a deviation category of the visits app.
DEVIATION_CATEGORIES = {
    "consent": "consent",
    "eligibility": "eligibility",
    "ip_accountability": "ip_dosing",
    "safety_reporting": "safety_reporting",
    "source_documents": "procedure",
}


def _editable(report: VisitReport) -> None:
    if report.status not in rules.EDITABLE:
        raise ValidationError(
            {"status": gettext("A %(status)s report cannot be changed.") % {"status": report.status}}
        )


@transaction.atomic
def update_report(
    *,
    report: VisitReport,
    by: User,
    reason: str = "",
    expected_version: int | None = None,
    answers=None,
    summary=None,
) -> VisitReport:
    """Save answers (merged into those given before) and the summary of a draft or returned report."""
    require(can_monitor_site(by, report.study_site), ONLY_SITE_CRA)
    _editable(report)
    changes = {}
    if answers is not None:
        problems = rules.answers_problems(report.visit.visit_type, answers)
        if problems:
            raise ValidationError(problems)
        changes["answers"] = {**report.answers, **answers}
    if summary is not None:
        changes["summary"] = summary
    return records.update_record(
        report, changes=changes, by=by, reason=reason or "report written", expected_version=expected_version
    )


def report_content(report: VisitReport) -> dict:
    """What a signature signs: the report's answers, summary, findings and source reviews."""
    return {
        "report": report.pk,
        "visit": report.visit_id,
        "version": report.version,
        "answers": report.answers,
        "summary": report.summary,
        "findings": [
            [f.number, f.category, f.severity, f.description] for f in report.findings.order_by("number")
        ],
        "source_reviews": [
            [r.participant_id, r.scheduled_visit_id, r.kind, r.critical_data]
            for r in report.source_reviews.order_by("id")
        ],
    }


def content_digest(report: VisitReport) -> str:
    canonical = json.dumps(report_content(report), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _sign(report: VisitReport, *, by: User, meaning: str) -> ReportSignature:
    signature = ReportSignature(
        report=report,
        signer=by,
        printed_name=by.get_full_name() or by.username,
        meaning=meaning,
        signed_at=timezone.now(),
        report_version=report.version,
        content_sha256=content_digest(report),
    )
    return records.create_record(signature, by=by, reason=Meaning(meaning).label)


@transaction.atomic
def submit_report(
    *, report: VisitReport, by: User, password: str, expected_version: int | None = None
) -> VisitReport:
    """The CRA signs and submits: every required question answered, the password re-entered (11.200)."""
    require(can_monitor_site(by, report.study_site), ONLY_SITE_CRA)
    require(Role.MONITOR in role_facts(by).roles_on_site(report.study_site_id), ONLY_A_CRA_SUBMITS)
    problem = rules.move_problem(report.status, "submit")
    if problem:
        raise ValidationError({"status": problem})
    missing = rules.unanswered(report.visit.visit_type, report.answers)
    if missing:
        raise ValidationError(
            {f"answers.{key}": gettext("Answer this question before submitting.") for key in missing}
        )
    esign.reauthenticate(by, password)
    submitted = records.update_record(
        report,
        changes={"status": rules.SUBMITTED, "submitted_at": timezone.now()},
        by=by,
        reason="submitted with the CRA's signature",
        expected_version=expected_version,
        action="submitted",
    )
    _sign(submitted, by=by, meaning=Meaning.AUTHORSHIP)
    url = reverse("monitoring_report", kwargs={"visit_report_id": submitted.pk})

    def title():  # drawn in each CRM's language (notifications.services.notify)
        return gettext("Review the report of the %(visit)s at site %(site)s") % {
            "visit": submitted.visit,
            "site": submitted.study_site.site_number,
        }

    notify(crms_of(submitted.study), "report_to_review", title, url, study=submitted.study, actor=by)
    return submitted


def _last_author_id(report: VisitReport) -> int | None:
    signature = report.signatures.filter(meaning=Meaning.AUTHORSHIP).order_by("-signed_at", "-id").first()
    return signature.signer_id if signature else None


@transaction.atomic
def approve_report(
    *, report: VisitReport, by: User, password: str, expected_version: int | None = None
) -> VisitReport:
    """The CRM signs the report as reviewed and approved (not their own: segregation of duties)."""
    require(can_manage_monitoring(by, report.study_id), ONLY_REVIEWER)
    problem = rules.move_problem(report.status, "approve")
    if problem:
        raise ValidationError({"status": problem})
    if _last_author_id(report) == by.pk:
        raise ValidationError({"password": gettext(NOT_YOUR_OWN)})
    esign.reauthenticate(by, password)
    approved = records.update_record(
        report,
        changes={"status": rules.APPROVED, "approved_at": timezone.now()},
        by=by,
        reason="approved with the CRM's signature",
        expected_version=expected_version,
        action="approved",
    )
    _sign(approved, by=by, meaning=Meaning.APPROVAL)
    return approved


@transaction.atomic
def return_report(
    *, report: VisitReport, by: User, comments: str, expected_version: int | None = None
) -> VisitReport:
    """The CRM sends the report back to the CRA with comments to address."""
    require(can_manage_monitoring(by, report.study_id), ONLY_REVIEWER)
    problem = rules.move_problem(report.status, "return")
    if problem:
        raise ValidationError({"status": problem})
    if not (comments or "").strip():
        raise ValidationError({"comments": gettext("Say what the CRA is to change.")})
    return records.update_record(
        report,
        changes={
            "status": rules.RETURNED,
            "returned_at": timezone.now(),
            "review_comments": comments.strip(),
        },
        by=by,
        reason=comments.strip(),
        expected_version=expected_version,
        action="returned",
    )


@transaction.atomic
def add_finding(*, report: VisitReport, by: User, reason: str = "", **values) -> Finding:
    require(can_monitor_site(by, report.study_site), ONLY_SITE_CRA)
    _editable(report)
    values = records.only_fields(values, FINDING_FIELDS)
    finding = Finding(
        report=report,
        study_id=report.study_id,
        study_site_id=report.study_site_id,
        number=next_number(report.findings.all()),
        **values,
    )
    return records.create_record(finding, by=by, reason=reason)


@transaction.atomic
def update_finding(
    *, finding: Finding, changes: dict, by: User, reason: str, expected_version: int | None = None
) -> Finding:
    require(can_monitor_site(by, finding.study_site), ONLY_SITE_CRA)
    _editable(finding.report)
    changes = records.only_fields(changes, FINDING_FIELDS)
    return records.update_record(
        finding, changes=changes, by=by, reason=reason, expected_version=expected_version
    )


@transaction.atomic
def record_finding_deviation(
    *,
    finding: Finding,
    by: User,
    occurred_on,
    participant=None,
    important: bool | None = None,
    description: str = "",
) -> Finding:
    """Record the protocol deviation a finding shows, through the visits app, and link it to the finding."""
    require(can_monitor_site(by, finding.study_site), ONLY_SITE_CRA)
    if finding.deviation_id:
        raise ValidationError({"deviation": gettext("This finding's deviation is already recorded.")})
    visit = finding.report.visit
    deviation = visit_services.create_deviation(
        study=finding.study,
        by=by,
        reason=f"found at the {visit} (finding {finding.number})",
        study_site=finding.study_site,
        participant=participant,
        category=DEVIATION_CATEGORIES.get(finding.category, "other"),
        important=finding.severity != "minor" if important is None else important,
        description=description or finding.description,
        occurred_on=occurred_on,
        identified_on=visit.conducted_on or finding.study_site.local_today(),
    )
    return records.update_record(
        finding,
        changes={"deviation": deviation},
        by=by,
        reason=f"deviation PD-{deviation.pk} recorded",
        action="deviation",
    )


@transaction.atomic
def add_source_review(
    *,
    report: VisitReport,
    by: User,
    participant,
    scheduled_visit=None,
    kind: str = "sdv",
    critical_data: bool = False,
    note: str = "",
) -> SourceReview:
    require(can_monitor_site(by, report.study_site), ONLY_SITE_CRA)
    _editable(report)
    review = SourceReview(
        report=report,
        study_id=report.study_id,
        study_site_id=report.study_site_id,
        participant=participant,
        scheduled_visit=scheduled_visit,
        kind=kind,
        critical_data=critical_data,
        note=note,
    )
    return records.create_record(review, by=by)


@transaction.atomic
def remove_source_review(
    *, review: SourceReview, by: User, reason: str, expected_version: int | None = None
) -> None:
    require(can_monitor_site(by, review.study_site), ONLY_SITE_CRA)
    _editable(review.report)
    records.delete_record(review, by=by, reason=reason, expected_version=expected_version)
