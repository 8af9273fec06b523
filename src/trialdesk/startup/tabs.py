"""The site page's Start-up panel and the study's Start-up & close-out tab (every site × item)."""

from django.utils import timezone
from django.utils.translation import gettext

from trialdesk.startup import closeout, cycles, permissions, rules, selectors

# Statuses from which the next gate ahead is the close-out one.
CLOSE_OUT_AHEAD = frozenset({"activated", "enrolling", "enrollment_closed", "closed"})


def site_panel(request, site) -> dict:
    """The site's checklist for the gate ahead of it (close-out once activated), and its overrides (the
    site page has already checked that the reader sees the site)."""
    gate = rules.CLOSURE if site.status in CLOSE_OUT_AHEAD else rules.ACTIVATION
    return {
        "site": site,
        "gate": gate,
        "gate_label": rules.GATE_LABELS[gate],
        "tracker": selectors.tracker(site, gate),
        "overrides": selectors.site_overrides(site),
        "may_tick": permissions.can_tick_items(request.user, study_id=site.study_id, study_site_id=site.pk),
        "may_override": permissions.can_manage_startup(request.user, site.study_id),
    }


def startup_tab(request, study) -> dict:
    gate = request.GET.get("gate") if request.GET.get("gate") in rules.GATE_LABELS else rules.ACTIVATION
    sites = list(selectors.sites_for(request.user, study))
    trackers = selectors.trackers(sites, gate)
    columns = _columns(trackers.values())
    rows = [
        (site, trackers[site.pk], [_cell(trackers[site.pk], key) for key, _ in columns]) for site in sites
    ]
    cycle = cycles.study_cycles(request.user, study)
    return {
        "gate": gate,
        "gates": rules.GATE_LABELS,
        "gate_label": rules.GATE_LABELS[gate],
        "columns": columns,
        "rows": rows,
        "overrides": list(selectors.overrides_for(request.user, study)),
        "cycle": cycle,
        "intervals": list(rules.INTERVAL_LABELS.values()),
        "site_days": [(c.label, [c.days[key] for key in rules.INTERVAL_LABELS]) for c in cycle.sites],
        "deadlines": cycles.closeout_deadlines(request.user, study),
    }


def _columns(trackers) -> list[tuple[str, str]]:
    """Every item any site has, in the order first met (standard items first, then country and study)."""
    seen: dict[str, str] = {}
    for tracker in trackers:
        for item in tracker.items:
            seen.setdefault(item.key, item.label)
    return list(seen.items())


def _cell(tracker, key):
    return next((item for item in tracker.items if item.key == key), None)


def closeout_tab(request, study) -> dict:
    """The study's end-of-trial notifications and results as reporting obligations (created when the end
    of trial, a halt or an early termination is recorded), and the deadlines still waiting for their event."""
    now = timezone.now()
    obligations = closeout.study_obligations(request.user, study)
    created = {o.key.split("/")[0] for o in obligations}
    return {
        "obligations": [
            (o, o.standing(now), o.due_at.astimezone(o.zone), o.current_status(now)) for o in obligations
        ],
        "waiting": [
            (d, gettext(d.rule.what), gettext(rules.EVENT_LABELS[d.rule.counted_from]))
            for d in cycles.closeout_deadlines(request.user, study)
            if d.rule.key not in created
        ],
    }
