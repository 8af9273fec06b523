"""The demo's start-up trackers: as a demo site enters start-up, its coordinator's ticks of what nothing
in Trialdesk records; a site going on to activation gets the rest signed off by the CRM's override (its
contract, initiation visit and training were tracked in the sponsor's previous system); a site staying in
start-up keeps one item pending, so the gate shows what it refuses."""

import datetime as dt

from django.utils import timezone

from trialdesk.core.demo import DAY, DEMO_PASSWORD
from trialdesk.safety import services as safety_services
from trialdesk.safety.models import ObligationStatus, ReportingObligation
from trialdesk.startup import closeout, rules, selectors, services
from trialdesk.studies.demo_data import STUDIES

PAST_START_UP = frozenset({"activated", "enrolling", "enrollment_closed", "closed", "on_hold"})
OVERRIDE_REASON = (
    "Contract, initiation visit and training were tracked in the sponsor's previous CTMS before this "
    "study moved to Trialdesk; copies filed in the TMF"
)
CLOSE_OUT_REASON = (
    "Close-out visit and eTMF reconciliation done under the sponsor's previous CTMS; certificates filed"
)
EVIDENCE = {
    "archived": "Archived at the institution's records centre, box 2024-117",
}


def _reached(site) -> str:
    """The status the demo walks this site to (studies.demo_data), e.g. "enrolling" or "terminated"."""
    definition = next(d for d in STUDIES if d.code == site.study.code)
    return definition.site_statuses[int(site.site_number) - 101]


def site_step(*, demo, site, status) -> None:
    """Before the demo walks a site into a gated status, do what its checklist needs (or leave it blocked)."""
    final, _, through = _reached(site).partition("@")
    if status == "start_up":
        goes_on = final in PAST_START_UP or through in PAST_START_UP - {"on_hold"}
        _prepare(demo, site, rules.ACTIVATION, goes_on=goes_on, reason=OVERRIDE_REASON)
    elif status == "enrollment_closed" and final == "closed":
        _prepare(demo, site, rules.CLOSURE, goes_on=True, reason=CLOSE_OUT_REASON)


def _prepare(demo, site, gate: str, *, goes_on: bool, reason: str) -> None:
    """Tick what is ticked by hand (all but one where the site stays blocked); the CRM signs off the rest
    where the site goes on."""
    planned = site.planned_activation_on or demo.today
    done_on = min(planned - dt.timedelta(days=20), demo.last_actual_day - DAY)
    if gate == rules.CLOSURE:
        done_on = demo.last_actual_day - DAY
    tickable = [i for i in selectors.tracker(site, gate).items if i.tickable and i.pending]
    if not goes_on:
        tickable = tickable[1:]  # the first stays pending: the site is blocked
    for item in tickable:
        services.tick_item(
            study_site=site,
            gate=gate,
            item=item.key,
            done_on=done_on,
            done_by=site.principal_investigator,
            evidence=EVIDENCE.get(item.key, "Filed in the investigator site file"),
            retain_until=rules.add_months(done_on, 12 * rules.RETENTION_YEARS_EU)
            if item.key == rules.ARCHIVING
            else None,
            by=demo.crm,
        )
    if goes_on and selectors.tracker(site, gate).pending:
        services.sign_override(
            study=site.study, study_site=site, gate=gate, reason=reason, password=DEMO_PASSWORD, by=demo.crm
        )


def load(demo) -> None:
    """Cycle-time targets for each demo study (sites themselves were ticked as they entered start-up)."""
    for study in demo.made["studies"].values():
        for interval, days in (
            ("selected_to_contract", 60),
            ("contract_to_ethics", 45),
            ("selected_to_activated", 120),
        ):
            services.set_cycle_target(study=study, interval=interval, days=days, by=demo.crm)
    notified = _end_of_trial_notified(demo)
    demo.summary.append(
        "Start-up trackers: activated sites ticked or overridden, sites in start-up blocked; "
        f"{notified} end-of-trial notification(s) submitted, results due within a year"
    )


def _end_of_trial_notified(demo) -> int:
    """A study whose end of trial the demo recorded has its close-out obligations (made here too, should
    the listener's job not have run yet); its 15-day notifications were submitted on day 9 through CTIS,
    its results stay open, due a year after the end of trial."""
    count = 0
    for study in demo.made["studies"].values():
        closeout.ensure_closeout_obligations(study=study, by=demo.crm)
        notices = ReportingObligation.objects.filter(
            study=study,
            adverse_event__isnull=True,
            status=ObligationStatus.OPEN,
            key__startswith="eu_end_of_trial",
        )
        for notice in notices:
            safety_services.mark_submitted(
                obligation=notice,
                by=demo.crm,
                submitted_at=min(notice.starts_at + dt.timedelta(days=9), timezone.now()),
                reference_number=f"CTIS-{study.code}-EOT-{notice.key.partition('/')[2] or 'ALL'}",
                reason="end of trial notified through CTIS",
            )
            count += 1
    return count
