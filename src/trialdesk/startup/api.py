"""The start-up API: each site's tracker (activation) and close-out checklist, ticking an item, the CRM's
signed override, the study's own items and cycle-time targets, cycle times and the study's close-out.
Reads start from what the caller may see (404 outside it); writes ask the permission question first."""

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from trialdesk.core.apiutils import READ_ERRORS, WRITE_ERRORS, actor, visible_or_404, with_errors
from trialdesk.core.permissions import require
from trialdesk.sites.models import StudySite
from trialdesk.startup import cycles, permissions, rules, selectors, services
from trialdesk.startup.schemas import (
    CloseoutOut,
    CycleTimesOut,
    GateQuery,
    OverrideIn,
    OverrideOut,
    StudyItemIn,
    StudyItemOut,
    StudyTrackerOut,
    TargetIn,
    TickIn,
    TrackerOut,
)
from trialdesk.studies.models import Study

router = Router(tags=["startup"])


def override_out(override) -> dict:
    names = "id study_id study_site_id gate reason pending signed_at signature_meaning".split()
    return {**{n: getattr(override, n) for n in names}, "signed_by": override.signed_by.username}


def tracker_out(site: StudySite, tracker: rules.Tracker) -> dict:
    return {
        "study_site_id": site.pk,
        "site_number": site.site_number,
        "status": site.status,
        "gate": tracker.gate,
        "passes": tracker.passes,
        "pending": [item.label for item in tracker.pending],
        "items": [vars(item) for item in tracker.items],
        "override": override_out(tracker.override) if tracker.override else None,
    }


def _site(request, study_site_id: int) -> StudySite:
    rows = StudySite.objects.visible_to(actor(request)).select_related("study", "institution")
    return get_object_or_404(rows, pk=study_site_id)


@router.get("/study-sites/{study_site_id}/startup", response=with_errors({200: TrackerOut}, READ_ERRORS))
def get_site_startup_tracker(request, study_site_id: int, query: Query[GateQuery]):
    """The site's checklist for a gate: each item done (with its record or who ticked it) or pending."""
    site = _site(request, study_site_id)
    return tracker_out(site, selectors.tracker(site, query.gate))


@router.get("/study-sites/{study_site_id}/closeout", response=with_errors({200: TrackerOut}, READ_ERRORS))
def get_site_closeout_checklist(request, study_site_id: int):
    """The site's close-out checklist, which gates its move to closed."""
    site = _site(request, study_site_id)
    return tracker_out(site, selectors.tracker(site, rules.CLOSURE))


@router.post(
    "/study-sites/{study_site_id}/startup/ticks", response=with_errors({201: TrackerOut}, WRITE_ERRORS)
)
def tick_startup_item(request, study_site_id: int, payload: TickIn):
    """Tick an item no record in Trialdesk shows, naming who did it, when and the evidence (audited);
    422 naming the field when one is missing, and nothing is saved."""
    site = _site(request, study_site_id)
    user = actor(request)
    require(
        permissions.can_tick_items(user, study_id=site.study_id, study_site_id=site.pk),
        permissions.ONLY_TICKERS,
    )
    services.tick_item(study_site=site, by=user, **payload.dict())
    return Status(201, tracker_out(site, selectors.tracker(site, payload.gate)))


@router.post(
    "/study-sites/{study_site_id}/startup/overrides", response=with_errors({201: OverrideOut}, WRITE_ERRORS)
)
def sign_site_gate_override(request, study_site_id: int, payload: OverrideIn):
    """The CRM lets the site pass a gate with items pending: a reason and their password (signature)."""
    site = _site(request, study_site_id)
    user = actor(request)
    require(permissions.can_manage_startup(user, site.study_id), permissions.ONLY_CRM)
    override = services.sign_override(study=site.study, study_site=site, by=user, **payload.dict())
    return Status(201, override_out(override))


@router.get("/studies/{study_id}/startup", response=with_errors({200: StudyTrackerOut}, READ_ERRORS))
def get_study_startup_trackers(request, study_id: int, query: Query[GateQuery]):
    """Every site of the study the caller may see × every item of the gate's checklist."""
    study = visible_or_404(request, Study, study_id)
    sites = list(selectors.sites_for(actor(request), study))
    trackers = selectors.trackers(sites, query.gate)
    return {
        "study_id": study.pk,
        "gate": query.gate,
        "sites": [tracker_out(site, trackers[site.pk]) for site in sites],
    }


@router.post("/studies/{study_id}/startup/items", response=with_errors({201: StudyItemOut}, WRITE_ERRORS))
def set_study_checklist_item(request, study_id: int, payload: StudyItemIn):
    """Add an item of the study's own to every site's checklist, or mark a standard item not required."""
    study = visible_or_404(request, Study, study_id)
    user = actor(request)
    require(permissions.can_manage_startup(user, study.pk), permissions.ONLY_CRM)
    item = services.set_study_item(study=study, by=user, **payload.dict())
    return Status(201, {n: getattr(item, n) for n in "id gate key label required citation".split()})


@router.get(
    "/studies/{study_id}/startup/cycle-times", response=with_errors({200: CycleTimesOut}, READ_ERRORS)
)
def get_startup_cycle_times(request, study_id: int):
    """Median days per start-up interval for the study and each country, against the study's targets and
    the caller's other studies; each site's dates."""
    study = visible_or_404(request, Study, study_id)
    found = cycles.study_cycles(actor(request), study)
    return {
        "study_id": study.pk,
        "study": [_interval(s) for s in found.study],
        "countries": {c: [_interval(s) for s in summary] for c, summary in found.countries.items()},
        "sites": [
            {
                "study_site_id": c.study_site_id,
                "site": c.label,
                "country": c.country,
                "dates": c.dates,
                "days": c.days,
            }
            for c in found.sites
        ],
    }


def _interval(summary: rules.IntervalSummary) -> dict:
    return {
        "interval": summary.interval,
        "label": summary.label,
        "sites": summary.count,
        "median_days": summary.median_days,
        "target_days": summary.target_days,
        "history_median_days": summary.history_median_days,
        "on_target": summary.on_target,
    }


@router.post(
    "/studies/{study_id}/startup/cycle-times/targets",
    response=with_errors({200: CycleTimesOut}, WRITE_ERRORS),
)
def set_startup_cycle_target(request, study_id: int, payload: TargetIn):
    """Set the study's target (days) for one start-up interval (audited)."""
    study = visible_or_404(request, Study, study_id)
    user = actor(request)
    require(permissions.can_manage_startup(user, study.pk), permissions.ONLY_CRM)
    services.set_cycle_target(study=study, by=user, **payload.dict())
    return get_startup_cycle_times(request, study_id)


@router.get("/studies/{study_id}/closeout", response=with_errors({200: CloseoutOut}, READ_ERRORS))
def get_study_closeout(request, study_id: int):
    """The study's end-of-trial notifications and results deadlines, and each site's close-out checklist."""
    study = visible_or_404(request, Study, study_id)
    user = actor(request)
    sites = list(selectors.sites_for(user, study))
    trackers = selectors.trackers(sites, rules.CLOSURE)
    return {
        "study_id": study.pk,
        "deadlines": [
            {
                "key": d.rule.key,
                "what": d.rule.what,
                "jurisdiction": d.rule.jurisdiction,
                "counted_from": d.rule.counted_from,
                "due_on": d.due_on,
                "citation": d.rule.citation,
            }
            for d in cycles.closeout_deadlines(user, study)
        ],
        "sites": [tracker_out(site, trackers[site.pk]) for site in sites],
    }
