"""What monitoring shows on shared pages: the study's Monitoring and RBQM tabs, the study overview's
panel and the study site page's panel (registered in apps.py)."""

from django.db.models import Count, Q
from django.utils import timezone

from trialdesk.monitoring import selectors
from trialdesk.monitoring.models import ActionStatus, IssueStatus, ReportStatus, SignalStatus, SiteMonitoring
from trialdesk.monitoring.permissions import can_manage_monitoring, can_monitor_site
from trialdesk.monitoring.rules import quality as quality_rules
from trialdesk.monitoring.selectors.carbon import carbon_totals
from trialdesk.monitoring.selectors.due import due_visits, plans_in_force, tiers_of
from trialdesk.monitoring.selectors.qtls import study_qtl_readings
from trialdesk.monitoring.selectors.tiers import stored_tiers
from trialdesk.monitoring.views.common import may_read_sponsor_side
from trialdesk.sites.models import StudySite

RECENT = 10


def _remote_allowed(plan, tiers) -> set[int]:
    allowed = {rule.tier for rule in plan.tier_rules.all() if rule.remote_allowed} if plan else set()
    return {site_id for site_id, reading in tiers.items() if reading.tier in allowed}


def monitoring_tab(request, study) -> dict:
    """The plan in force, each site's CRA, tier and next visit due, recent visits and travel carbon;
    site staff see their site's visits and open action items only."""
    user = request.user
    if not may_read_sponsor_side(user, study.pk):
        return {
            "sponsor_side": False,
            "visits": selectors.visits_for(user).filter(study=study).order_by("-planned_on")[:RECENT],
            "open_items": selectors.action_items_for(user)
            .filter(study=study)
            .exclude(status=ActionStatus.CLOSED),
        }
    sites = list(selectors.sites_monitored_by(user, study).select_related("study").order_by("site_number"))
    plans = plans_in_force([study.pk])
    plan = plans.get(study.pk)
    tiers = tiers_of(sites, plans)
    due = {}
    for found in reversed(due_visits(sites, tiers=tiers)):
        due[found.site.pk] = found
    setups = {
        s.study_site_id: s
        for s in SiteMonitoring.objects.filter(study_site__in=sites).select_related("cra", "backup_cra")
    }
    visits = selectors.visits_for(user).filter(study=study)
    labels = {site.pk: f"Site {site.site_number} {site.institution.name}" for site in sites}
    return {
        "sponsor_side": True,
        "plan": plan,
        "site_rows": [(site, setups.get(site.pk), tiers.get(site.pk), due.get(site.pk)) for site in sites],
        "visits": visits.order_by("-planned_on", "-id")[:RECENT],
        "carbon": carbon_totals(
            visits, remote_allowed_site_ids=_remote_allowed(plan, tiers), site_labels=labels
        ),
        "may_plan": can_manage_monitoring(user, study.pk),
    }


def rbqm_tab(request, study) -> dict:
    """QTLs with their values and status, signals, the risk register's top risks and open issues."""
    user = request.user
    if not may_read_sponsor_side(user, study.pk):
        return {"sponsor_side": False}
    risks = sorted(
        selectors.risks_for(user).filter(study=study, status="open"), key=lambda r: (-r.score, r.number)
    )
    issues = selectors.issues_for(user).filter(study=study).exclude(status=IssueStatus.CLOSED)
    return {
        "sponsor_side": True,
        "readings": study_qtl_readings(study),
        "signals": selectors.signals_for(user)
        .filter(study=study)
        .exclude(status=SignalStatus.CLOSED)
        .order_by("-opened_on"),
        "risks": risks[:5],
        "risk_count": len(risks),
        "issues": issues.order_by("due_on")[:RECENT],
        "issue_count": issues.count(),
        "may_manage_rbqm": can_manage_monitoring(user, study.pk),
    }


def study_overview_panel(request, study) -> dict | None:
    """QTL breaches, signals to triage, overdue action items and reports: aggregate figures."""
    user = request.user
    if not may_read_sponsor_side(user, study.pk):
        return None
    today = timezone.localdate()
    breaches = [r for r in study_qtl_readings(study) if r.status == quality_rules.BREACH]
    items = selectors.action_items_for(user).filter(study=study)
    reports = selectors.reports_for(user).filter(study=study)
    return {
        "breaches": breaches,
        "open_signals": selectors.signals_for(user).filter(study=study, status=SignalStatus.OPEN).count(),
        "overdue_items": items.filter(status=ActionStatus.OPEN, due_on__lt=today).count(),
        "overdue_reports": reports.filter(
            status__in=(ReportStatus.DRAFT, ReportStatus.RETURNED), due_on__lt=today
        ).count(),
    }


def site_panel(request, site: StudySite) -> dict | None:
    """The site's monitoring: CRA, risk tier and why, next visit due, visits, open action items, carbon."""
    user = request.user
    visits = selectors.visits_for(user).filter(study_site=site)
    items = selectors.action_items_for(user).filter(study_site=site).exclude(status=ActionStatus.CLOSED)
    context = {
        "site": site,
        "visits": visits.order_by("-planned_on", "-id")[:5],
        "open_items": items.order_by("due_on")[:RECENT],
        "open_item_count": items.count(),
        "overdue_item_count": items.filter(status=ActionStatus.OPEN, due_on__lt=site.local_today()).count(),
        "sponsor_side": False,
    }
    if not selectors.sites_monitored_by(user, site.study).filter(pk=site.pk).exists():
        return context
    plans = plans_in_force([site.study_id])
    tiers = tiers_of([site], plans)
    found = due_visits([site], tiers=tiers)
    totals = carbon_totals(visits, remote_allowed_site_ids=_remote_allowed(plans.get(site.study_id), tiers))
    context |= {
        "sponsor_side": True,
        "setup": SiteMonitoring.objects.filter(study_site=site).select_related("cra", "backup_cra").first(),
        "tier": tiers.get(site.pk),
        "stored_tier": stored_tiers(StudySite.objects.filter(pk=site.pk), [site.study_id]).get(site.pk),
        "due": found,
        "carbon": totals.total,
        "may_monitor": can_monitor_site(user, site),
        "plan": plans.get(site.study_id),
        "visit_counts": visits.aggregate(
            conducted=Count("id", filter=Q(status="conducted")),
            planned=Count("id", filter=Q(status__in=("planned", "confirmed"))),
        ),
    }
    return context
