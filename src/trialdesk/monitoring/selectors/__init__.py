"""Reads of the monitoring app, each starting from what the user may see (`visible_to`); the modules
below compute the figures (due visits, tiers, QTLs, oversight, carbon)."""

from django.db.models import QuerySet

from trialdesk.core.models import User
from trialdesk.monitoring.models import (
    ActionItem,
    Finding,
    Issue,
    MonitoringPlan,
    MonitoringVisit,
    QualityToleranceLimit,
    Risk,
    Signal,
    SourceReview,
    VisitReport,
)
from trialdesk.monitoring.scoping import sponsor_side
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study


def plans_for(user: User, study: Study) -> QuerySet[MonitoringPlan]:
    return MonitoringPlan.objects.visible_to(user).filter(study=study).prefetch_related("tier_rules")


def plan_in_force(study_id: int) -> MonitoringPlan | None:
    """The study's newest plan version (the caller has checked the reader may see the study)."""
    return (
        MonitoringPlan.objects.filter(study_id=study_id)
        .prefetch_related("tier_rules")
        .order_by("-number")
        .first()
    )


def visits_for(user: User) -> QuerySet[MonitoringVisit]:
    return MonitoringVisit.objects.visible_to(user).select_related("study", "study_site__institution", "cra")


def reports_for(user: User) -> QuerySet[VisitReport]:
    return VisitReport.objects.visible_to(user).select_related(
        "visit__cra", "visit__study_site__institution", "study"
    )


def findings_for(user: User) -> QuerySet[Finding]:
    return Finding.objects.visible_to(user).select_related("report__visit", "study_site", "study")


def source_reviews_for(user: User) -> QuerySet[SourceReview]:
    return SourceReview.objects.visible_to(user).select_related("participant", "scheduled_visit__definition")


def action_items_for(user: User) -> QuerySet[ActionItem]:
    # The site's institution: an item is overdue by the site's own date (StudySite.local_today).
    return ActionItem.objects.visible_to(user).select_related(
        "study", "study_site__institution", "owner", "report__visit", "finding"
    )


def issues_for(user: User) -> QuerySet[Issue]:
    return Issue.objects.visible_to(user).select_related("study", "study_site", "owner", "qtl", "signal")


def risks_for(user: User) -> QuerySet[Risk]:
    return Risk.objects.visible_to(user).select_related("owner", "qtl")


def qtls_for(user: User) -> QuerySet[QualityToleranceLimit]:
    return QualityToleranceLimit.objects.visible_to(user)


def signals_for(user: User) -> QuerySet[Signal]:
    return Signal.objects.visible_to(user).select_related("study", "study_site", "triaged_by")


def sites_monitored_by(user: User, study: Study) -> QuerySet[StudySite]:
    """The study's sites whose monitoring the user may see (the team: all; a CRA: their own)."""
    visible = StudySite.objects.visible_to(user).filter(study=study)
    return visible.filter(sponsor_side(user, study_path="study", site_path="pk")).select_related(
        "institution"
    )
