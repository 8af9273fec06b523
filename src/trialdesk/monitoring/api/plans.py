"""API operations on monitoring plans, site set-ups, the visits due, oversight and travel carbon."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from trialdesk.core.apiutils import (
    CREATE_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
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
from trialdesk.monitoring.models import MonitoringPlan, SiteMonitoring
from trialdesk.monitoring.permissions import (
    ONLY_CRM,
    ONLY_SITE_CRA,
    can_manage_monitoring,
    can_monitor_site,
)
from trialdesk.monitoring.rules import carbon
from trialdesk.monitoring.schemas.quality import CarbonIn, CarbonLineOut, CarbonOut, OversightOut
from trialdesk.monitoring.schemas.visits import DueOut, PlanIn, PlanOut, SetupIn, SetupOut
from trialdesk.monitoring.selectors.carbon import carbon_totals
from trialdesk.monitoring.selectors.due import due_visits, plans_in_force, tiers_of
from trialdesk.monitoring.selectors.oversight import site_oversight
from trialdesk.monitoring.selectors.tiers import study_site_tiers
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study

router = Router(tags=["monitoring"])


def _study(request, study_id: int) -> Study:
    """The study (404 outside scope); lists then hold only what the reader may see of its monitoring:
    nothing of the sponsor's side for site staff."""
    return visible_or_404(request, Study, study_id)


@router.get(
    "/studies/{study_id}/monitoring-plans", response=with_errors({200: page_schema(PlanOut)}, READ_ERRORS)
)
def list_monitoring_plans(request, study_id: int, page: Query[PageQuery]):
    """The study's plan versions, newest (the one in force) first."""
    study = _study(request, study_id)
    return paginate(selectors.plans_for(actor(request), study).order_by("-number"), page)


@router.post("/studies/{study_id}/monitoring-plans", response=with_errors({201: PlanOut}, WRITE_ERRORS))
def create_monitoring_plan(request, study_id: int, payload: PlanIn):
    """A new plan version (the CRM): what is left out carries over; a later version needs a reason."""
    study = visible_or_404(request, Study, study_id)
    require(can_manage_monitoring(actor(request), study.pk), ONLY_CRM)
    values = payload.model_dump(exclude_none=True, exclude={"reason", "tier_rules"})
    tiers = {
        str(tier): rule.model_dump(exclude_none=True) for tier, rule in (payload.tier_rules or {}).items()
    }
    plan = services.create_plan(
        study=study, by=actor(request), reason=payload.reason, tier_rules=tiers, **values
    )
    return Status(201, plan)


@router.get("/monitoring-plans/{monitoring_plan_id}", response=with_errors({200: PlanOut}, READ_ERRORS))
def get_monitoring_plan(request, monitoring_plan_id: int, response: HttpResponse):
    plans = MonitoringPlan.objects.visible_to(actor(request)).prefetch_related("tier_rules")
    plan = get_object_or_404(plans, pk=monitoring_plan_id)
    set_etag(response, plan)
    return plan


def _setup_out(site: StudySite, setup: SiteMonitoring | None, *, sponsor_side: bool) -> dict:
    reading = study_site_tiers(site.study, site_ids=[site.pk])[site.pk] if sponsor_side else None
    names = ("site_latitude", "site_longitude", "cra_base_latitude", "cra_base_longitude")
    return {
        "study_site_id": site.pk,
        "site_number": site.site_number,
        "cra_id": setup.cra_id if setup else None,
        "cra": setup.cra.username if setup and setup.cra_id else None,
        "backup_cra_id": setup.backup_cra_id if setup else None,
        "backup_cra": setup.backup_cra.username if setup and setup.backup_cra_id else None,
        "tier_override": setup.tier_override if setup else "",
        "tier": reading.tier if reading else "",
        "tier_points": reading.points if reading else 0,
        "tier_reasons": list(reading.reasons) if reading else [],
        **{name: getattr(setup, name) if setup else None for name in names},
        "cra_base": setup.cra_base if setup else "",
        "travel_mode": setup.travel_mode if setup else "car",
        "typed_distance_km": float(setup.typed_distance_km)
        if setup and setup.typed_distance_km is not None
        else None,
        "version": setup.version if setup else None,
    }


@router.get("/monitoring-setups/{study_site_id}", response=with_errors({200: SetupOut}, READ_ERRORS))
def get_monitoring_setup(request, study_site_id: int, response: HttpResponse):
    """The site's CRA and backup, its risk tier (and why; not for site staff) and its travel points."""
    site = visible_or_404(request, StudySite, study_site_id, "study", "institution")
    setup = SiteMonitoring.objects.filter(study_site=site).select_related("cra", "backup_cra").first()
    if setup is not None:
        set_etag(response, setup)
    return _setup_out(site, setup, sponsor_side=_sponsor_reader(request, site))


@router.put("/monitoring-setups/{study_site_id}", response=with_errors({200: SetupOut}, WRITE_ERRORS))
def save_monitoring_setup(
    request, study_site_id: int, payload: SetupIn, response: HttpResponse, if_match: IfMatch = None
):
    """Create or change the set-up (the CRM; the site's CRA: their own travel fields)."""
    site = visible_or_404(request, StudySite, study_site_id, "study", "institution")
    require(can_monitor_site(actor(request), site), ONLY_SITE_CRA)
    people = User.objects.filter(is_active=True)
    values = model_values(
        payload, references={"cra_id": ("cra", people), "backup_cra_id": ("backup_cra", people)}
    )
    if values.get("typed_distance_km") is not None:
        values["typed_distance_km"] = Decimal(str(round(values["typed_distance_km"], 1)))
    existing = SiteMonitoring.objects.filter(study_site=site).exists()
    version = expected_version(payload.version, if_match) if existing else None
    setup = services.save_site_setup(
        study_site=site, by=actor(request), reason=payload.reason, expected_version=version, **values
    )
    set_etag(response, setup)
    return _setup_out(site, setup, sponsor_side=True)


def _sponsor_reader(request, site: StudySite) -> bool:
    return selectors.sites_monitored_by(actor(request), site.study).filter(pk=site.pk).exists()


def _sponsor_sites(request, study: Study) -> list[StudySite]:
    return list(
        selectors.sites_monitored_by(actor(request), study).select_related("study").order_by("site_number")
    )


@router.get(
    "/studies/{study_id}/monitoring-due", response=with_errors({200: page_schema(DueOut)}, READ_ERRORS)
)
def list_monitoring_due(request, study_id: int, page: Query[PageQuery]):
    """The next visit due at each site the reader monitors, soonest first (as `trialdesk monitoring due`)."""
    study = _study(request, study_id)
    found = due_visits(_sponsor_sites(request, study))
    items = [{**d.as_dict(), "study_site_id": d.site.pk} for d in found]
    return {
        "count": len(items),
        "limit": page.limit,
        "offset": page.offset,
        "items": items[page.offset : page.offset + page.limit],
    }


@router.get(
    "/studies/{study_id}/monitoring-oversight",
    response=with_errors({200: page_schema(OversightOut)}, READ_ERRORS),
)
def list_monitoring_oversight(request, study_id: int, page: Query[PageQuery]):
    """Per site: visits done against the plan, report turnaround, open items by age, SDV coverage, travel."""
    study = _study(request, study_id)
    rows = site_oversight(_sponsor_sites(request, study))
    items = [
        {
            "study": row.study_code,
            "site": row.site.site_number,
            "study_site_id": row.site.pk,
            "cra": row.cra or None,
            "tier": row.tier,
            "visits_done": row.visits_done,
            "visits_expected": row.visits_expected,
            "median_days_to_submit": row.median_days_to_submit,
            "median_days_to_approve": row.median_days_to_approve,
            "reports_overdue": row.reports_overdue,
            "open_items_by_age": row.open_by_age,
            "items_overdue": row.items_overdue,
            "sdv_coverage": row.sdv_coverage,
            "sdv_target": row.sdv_target,
            "critical_coverage": row.critical_coverage,
            "critical_target": row.critical_target,
            "travel_days": float(row.travel_days),
            "kg_co2e": float(row.kg_co2e),
        }
        for row in rows
    ]
    return {
        "count": len(items),
        "limit": page.limit,
        "offset": page.offset,
        "items": items[page.offset : page.offset + page.limit],
    }


@router.get(
    "/studies/{study_id}/monitoring-carbon",
    response=with_errors({200: page_schema(CarbonLineOut)}, READ_ERRORS),
)
def list_monitoring_carbon(request, study_id: int, page: Query[PageQuery]):
    """Travel carbon: the study's total first, then one line per site and one per CRA."""
    study = _study(request, study_id)
    sites = _sponsor_sites(request, study)
    plans = plans_in_force([study.pk])
    tiers = tiers_of(sites, plans)
    plan = plans.get(study.pk)
    allowed = {rule.tier for rule in plan.tier_rules.all() if rule.remote_allowed} if plan else set()
    totals = carbon_totals(
        selectors.visits_for(actor(request)).filter(study=study, study_site__in=sites),
        remote_allowed_site_ids={site_id for site_id, t in tiers.items() if t.tier in allowed},
    )
    lines = [(line.label, line) for line in (totals.total, *totals.by_site)]
    lines += [(f"CRA {line.label}", line) for line in totals.by_cra]
    items = [
        {
            "label": label,
            "on_site": line.on_site,
            "remote": line.remote,
            "travel_km": float(line.travel_km),
            "kg_co2e": float(line.kg_co2e),
            "remote_instead_kg": float(line.remote_instead_kg),
            "unknown": line.unknown,
        }
        for label, line in lines
    ]
    return {
        "count": len(items),
        "limit": page.limit,
        "offset": page.offset,
        "items": items[page.offset : page.offset + page.limit],
    }


@router.post("/monitoring/carbon-estimates", response=with_errors({200: CarbonOut}, CREATE_ERRORS))
def estimate_carbon(request, payload: CarbonIn):
    """The distance and kg CO2e of a trip (as `trialdesk monitoring carbon`); nothing is saved."""
    try:
        origin = carbon.parse_point(payload.origin, "from")
        destination = carbon.parse_point(payload.destination, "to")
        found = carbon.estimate(
            origin=origin, destination=destination, mode=str(payload.mode), round_trip=payload.round_trip
        )
    except carbon.CarbonInputError as error:
        raise ValidationError({error.field: str(error)}) from None
    return found.as_dict()
