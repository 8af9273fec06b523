"""Writes of monitoring visits: schedule, change, confirm, conduct (which opens the report and works
out the travel's carbon), cancel."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from trialdesk.core import records
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.monitoring.models import (
    MonitoringModality,
    MonitoringPlan,
    MonitoringVisit,
    SiteMonitoring,
    VisitReport,
)
from trialdesk.monitoring.permissions import ONLY_SITE_CRA, can_monitor_site
from trialdesk.monitoring.rules import carbon, reports
from trialdesk.monitoring.rules import visits as rules
from trialdesk.safety.rules.calendars import holiday_calendar_problem
from trialdesk.sites.models import StudySite

VISIT_FIELDS = (
    "visit_type",
    "modality",
    "planned_on",
    "cra",
    "purpose",
    "travel_mode",
    "travel_distance_km",
    "round_trip",
    "travel_days",
)
CONDUCT_FIELDS = (
    "conducted_on",
    "conducted_end_on",
    "travel_mode",
    "travel_distance_km",
    "round_trip",
    "travel_days",
)
DEFAULT_REPORT_DAYS = 10  # working days, when the study has no plan yet


def _default_cra(study_site: StudySite, by: User | None):
    setup = SiteMonitoring.objects.filter(study_site=study_site).first()
    return setup.cra if setup and setup.cra_id else by


@transaction.atomic
def schedule_visit(
    *, study_site: StudySite, by: User | None, reason: str = "", signal=None, **values
) -> MonitoringVisit:
    """Plan a visit at the site (its CRA or the study's CRM); the CRA defaults to the site's."""
    if by is not None:
        require(can_monitor_site(by, study_site), ONLY_SITE_CRA)
    values = records.only_fields(values, VISIT_FIELDS)
    if values.get("cra") is None:
        values["cra"] = _default_cra(study_site, by)
    if values.get("planned_on") is None:
        raise ValidationError({"planned_on": gettext("Give the day the visit is planned.")})
    visit = MonitoringVisit(study_id=study_site.study_id, study_site=study_site, signal=signal, **values)
    return records.create_record(visit, by=by, reason=reason)


@transaction.atomic
def update_visit(
    *, visit: MonitoringVisit, changes: dict, by: User, reason: str, expected_version: int | None = None
) -> MonitoringVisit:
    require(can_monitor_site(by, visit.study_site), ONLY_SITE_CRA)
    changes = records.only_fields(changes, VISIT_FIELDS + CONDUCT_FIELDS)
    if visit.status == rules.CONDUCTED and {"visit_type", "modality"} & {
        k for k, v in changes.items() if v != getattr(visit, k)
    }:
        raise ValidationError(
            {"visit_type": gettext("A conducted visit keeps its type and modality: its report follows them.")}
        )
    updated = records.update_record(
        visit, changes=changes, by=by, reason=reason, expected_version=expected_version
    )
    if updated.status == rules.CONDUCTED:
        updated = _record_travel(updated, by=by)
    return updated


@transaction.atomic
def move_visit(
    *,
    visit: MonitoringVisit,
    move: str,
    by: User,
    reason: str = "",
    expected_version: int | None = None,
    **values,
) -> MonitoringVisit:
    """Confirm (the letter is sent: `confirmed_on`), conduct (`conducted_on`, optionally its last day and
    travel) or cancel (a reason) a visit; conducting opens its report, due the plan's working days later."""
    require(can_monitor_site(by, visit.study_site), ONLY_SITE_CRA)
    problem = rules.move_problem(visit.status, move)
    if problem:
        raise ValidationError({"to": problem})
    today = visit.study_site.local_today()
    changes: dict = {"status": rules.VISIT_MOVES[(visit.status, move)]}
    if move == "confirm":
        changes["confirmed_on"] = values.get("confirmed_on") or today
    elif move == "conduct":
        changes.update(
            records.only_fields({k: v for k, v in values.items() if v is not None}, CONDUCT_FIELDS)
        )
        changes.setdefault("conducted_on", today)
    elif move == "cancel":
        reason = records.require_reason(reason)
    words = {"confirm": "confirmed to the site", "conduct": "conducted", "cancel": "cancelled"}[move]
    moved = records.update_record(
        visit, changes=changes, by=by, reason=reason or words, expected_version=expected_version, action=move
    )
    if move == "conduct":
        moved = _record_travel(moved, by=by)
        _open_report(moved, by=by)
    return moved


def travel_estimate(visit: MonitoringVisit, setup: SiteMonitoring | None) -> carbon.CarbonEstimate | None:
    """The carbon of the visit's travel (None when there is not enough to work it out)."""
    if visit.modality != MonitoringModality.ON_SITE:
        return carbon.CarbonEstimate(0.0, 1.0, 0.0, 0.0, "remote visit: no travel")
    mode = visit.travel_mode or (setup.travel_mode if setup else "car")
    typed = (
        visit.travel_distance_km
        if visit.travel_distance_km is not None
        else (setup.typed_distance_km if setup else None)
    )
    try:
        return carbon.estimate(
            origin=setup.base_point if setup else None,
            destination=setup.site_point if setup else None,
            mode=mode,
            round_trip=visit.round_trip,
            typed_km=float(typed) if typed is not None else None,
        )
    except carbon.CarbonInputError:
        return None


def _record_travel(visit: MonitoringVisit, *, by: User | None) -> MonitoringVisit:
    found = travel_estimate(visit, SiteMonitoring.objects.filter(study_site_id=visit.study_site_id).first())
    changes = {
        "travel_km": None if found is None else Decimal(str(round(found.distance_km, 1))),
        "kg_co2e": None if found is None else Decimal(str(round(found.kg_co2e, 2))),
        "carbon_source": "" if found is None else found.source[:300],
    }
    if visit.travel_mode == "" and visit.modality == MonitoringModality.ON_SITE and found is not None:
        setup = SiteMonitoring.objects.filter(study_site_id=visit.study_site_id).first()
        changes["travel_mode"] = setup.travel_mode if setup else "car"
    if all(getattr(visit, name) == value for name, value in changes.items()):
        return visit
    return records.update_record(
        visit, changes=changes, by=by, reason="travel and its carbon worked out", action="travel"
    )


def holiday_calendar(country: str) -> str | None:
    """The site country's public holidays where a calendar is known (else weekends only)."""
    return country if country and holiday_calendar_problem(country) is None else None


def _open_report(visit: MonitoringVisit, *, by: User | None) -> VisitReport:
    plan = MonitoringPlan.objects.filter(study_id=visit.study_id).order_by("-number").first()
    working_days = plan.report_due_working_days if plan else DEFAULT_REPORT_DAYS
    due_on = reports.report_due_on(
        visit_ended_on=visit.conducted_end_on or visit.conducted_on,
        working_days=working_days,
        calendar=holiday_calendar(visit.study_site.institution.country),
    )
    report = VisitReport(
        visit=visit, study_id=visit.study_id, study_site_id=visit.study_site_id, due_on=due_on
    )
    return records.create_record(
        report, by=by, reason=f"report due {due_on:%Y-%m-%d}, {working_days} working days after the visit"
    )
