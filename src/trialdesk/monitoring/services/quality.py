"""Writes of the issue log (with CAPA), the risk register and quality tolerance limits, and the issues
that QTL breaches open."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from trialdesk.core import records
from trialdesk.core.models import RoleAssignment, User
from trialdesk.core.permissions import require
from trialdesk.core.roles import Role
from trialdesk.monitoring.models import Issue, IssueSource, IssueStatus, QualityToleranceLimit, Risk
from trialdesk.monitoring.permissions import (
    ONLY_CRM,
    ONLY_SITE_CRA,
    can_manage_monitoring,
    can_monitor_site,
    can_raise_issues,
    can_work_on_issue,
)
from trialdesk.monitoring.rules import quality as rules
from trialdesk.monitoring.services.numbering import next_number
from trialdesk.studies.models import Study

ISSUE_FIELDS = (
    "study_site",
    "title",
    "description",
    "category",
    "severity",
    "owner",
    "due_on",
    "root_cause",
    "corrective_action",
    "preventive_action",
    "effectiveness_check_on",
    "effectiveness",
)
CAPA_FIELDS = (
    "root_cause",
    "corrective_action",
    "preventive_action",
    "effectiveness_check_on",
    "effectiveness",
)
SOURCE_LINKS = ("deviation", "finding", "signal", "qtl")
RISK_FIELDS = (
    "title",
    "category",
    "description",
    "likelihood",
    "impact",
    "detectability",
    "mitigation",
    "kri_key",
    "qtl",
    "owner",
    "review_on",
    "status",
)
QTL_FIELDS = ("parameter", "limit", "secondary_limit", "rationale")
ONLY_OWNER = "Only the issue's owner, the study's CRM or the site's CRA works this issue."
BREACH_DAYS = 30  # an issue opened by a QTL breach is due for its explanation in 30 days
BREACH_DUTY = "ICH E6(R3): a breach is evaluated, its cause found and explained, and the action taken."


@transaction.atomic
def raise_issue(
    *, study: Study, by: User | None, reason: str = "", source: str = IssueSource.MANUAL, **values
) -> Issue:
    """An issue of the study or a site; `deviation`, `finding`, `signal` or `qtl` say what raised it."""
    links = {name: values.pop(name) for name in SOURCE_LINKS if name in values}
    values = records.only_fields(values, ISSUE_FIELDS)
    if by is not None:
        require(can_raise_issues(by, study.pk), "Only the study's CRM or a CRA raises issues.")
        site = values.get("study_site")
        if site is not None and not can_manage_monitoring(by, study.pk):
            require(can_monitor_site(by, site), ONLY_SITE_CRA)
    issue = Issue(
        study=study, number=next_number(Issue.objects.filter(study=study)), source=source, **links, **values
    )
    return records.create_record(issue, by=by, reason=reason)


@transaction.atomic
def update_issue(
    *, issue: Issue, changes: dict, by: User, reason: str, expected_version: int | None = None
) -> Issue:
    require(can_work_on_issue(by, issue), ONLY_OWNER)
    changes = records.only_fields(changes, ISSUE_FIELDS)
    if (
        "owner" in changes
        and changes["owner"] != issue.owner
        and not can_manage_monitoring(by, issue.study_id)
    ):
        raise ValidationError({"owner": gettext("Only the study's CRM hands an issue to someone else.")})
    if issue.status == IssueStatus.CLOSED:
        raise ValidationError({"status": gettext("A closed issue cannot change; raise a new one.")})
    return records.update_record(
        issue, changes=changes, by=by, reason=reason, expected_version=expected_version
    )


@transaction.atomic
def move_issue(
    *, issue: Issue, to: str, by: User, reason: str = "", expected_version: int | None = None, **values
) -> Issue:
    """Move an issue along its CAPA (rules.quality), saving the CAPA fields given with the move."""
    require(can_work_on_issue(by, issue), ONLY_OWNER)
    values = records.only_fields(values, CAPA_FIELDS)
    facts = {name: values.get(name, getattr(issue, name)) for name in CAPA_FIELDS}
    texts = {name: facts[name] or "" for name in CAPA_FIELDS if name != "effectiveness_check_on"}
    problems = rules.issue_move_problems(
        current=issue.status,
        to=to,
        severity=issue.severity,
        effectiveness_check_on=facts["effectiveness_check_on"],
        **texts,
    )
    if problems:
        raise ValidationError(problems)
    changes = {**values, "status": to}
    if to == rules.CLOSED:
        changes["closed_on"] = issue.study_site.local_today() if issue.study_site_id else timezone.localdate()
    if to == rules.CAPA and issue.status == rules.CHECK:
        changes["effectiveness"] = ""
    return records.update_record(
        issue,
        changes=changes,
        by=by,
        reason=reason or f"moved to {to.replace('_', ' ')}",
        expected_version=expected_version,
        action="moved",
    )


@transaction.atomic
def create_risk(*, study: Study, by: User, reason: str = "", **values) -> Risk:
    require(can_manage_monitoring(by, study.pk), ONLY_CRM)
    values = records.only_fields(values, RISK_FIELDS)
    risk = Risk(study=study, number=next_number(Risk.objects.filter(study=study)), **values)
    return records.create_record(risk, by=by, reason=reason)


@transaction.atomic
def update_risk(
    *, risk: Risk, changes: dict, by: User, reason: str, expected_version: int | None = None
) -> Risk:
    require(can_manage_monitoring(by, risk.study_id), ONLY_CRM)
    changes = records.only_fields(changes, RISK_FIELDS)
    return records.update_record(
        risk, changes=changes, by=by, reason=reason, expected_version=expected_version
    )


@transaction.atomic
def create_qtl(*, study: Study, by: User, reason: str = "", **values) -> QualityToleranceLimit:
    require(can_manage_monitoring(by, study.pk), ONLY_CRM)
    values = records.only_fields(values, QTL_FIELDS)
    return records.create_record(QualityToleranceLimit(study=study, **values), by=by, reason=reason)


@transaction.atomic
def update_qtl(
    *, qtl: QualityToleranceLimit, changes: dict, by: User, reason: str, expected_version: int | None = None
) -> QualityToleranceLimit:
    require(can_manage_monitoring(by, qtl.study_id), ONLY_CRM)
    changes = records.only_fields(changes, QTL_FIELDS)
    return records.update_record(
        qtl, changes=changes, by=by, reason=reason, expected_version=expected_version
    )


def _study_crm(study: Study) -> User | None:
    found = (
        RoleAssignment.objects.filter(study=study, role=Role.CRM)
        .select_related("user")
        .order_by("id")
        .first()
    )
    return found.user if found else None


@transaction.atomic
def record_qtl_breaches(*, study: Study, by: User | None, today: dt.date | None = None) -> list[Issue]:
    """Open an issue for each QTL in breach that has no issue still open (idempotent: a job may run it
    daily). The issue goes to the study's CRM, due BREACH_DAYS later, to explain the breach."""
    from trialdesk.monitoring.selectors import qtls as qtl_selectors

    if by is not None:
        require(can_manage_monitoring(by, study.pk), ONLY_CRM)
    today = today or timezone.localdate()
    opened = []
    for reading in qtl_selectors.study_qtl_readings(study):
        if reading.status != rules.BREACH or reading.qtl is None:
            continue
        if reading.qtl.issues.exclude(status=IssueStatus.CLOSED).exists():
            continue
        owner = by or _study_crm(study)
        if owner is None:
            continue
        opened.append(
            raise_issue(
                study=study,
                by=by,
                source=IssueSource.QTL,
                qtl=reading.qtl,
                title=f"QTL breach: {reading.label} {reading.value:.1f} % (limit {reading.qtl.limit} %)",
                description=f"{reading.explanation}. {BREACH_DUTY}",
                category="data_quality",
                severity="major",
                owner=owner,
                due_on=today + dt.timedelta(days=BREACH_DAYS),
                reason="QTL breach found",
            )
        )
    return opened
