"""The study report's Site start-up section: who is blocked, the overrides signed, cycle times against
targets and history, the close-out deadlines, and the timeline chart."""

from trialdesk.core.extensions import ReportBlock, ReportTable
from trialdesk.startup import cycles, rules, selectors


def _days(value) -> str:
    return "—" if value is None else f"{value:g}"


def study_block(user, study, today) -> ReportBlock | None:
    sites = list(selectors.sites_for(user, study))
    if not sites:
        return None
    trackers = selectors.trackers(
        [s for s in sites if s.status in ("start_up", "selected")], rules.ACTIVATION
    )
    blocked = [(s, trackers[s.pk]) for s in sites if s.pk in trackers and trackers[s.pk].pending]
    overrides = list(selectors.overrides_for(user, study))
    cycle = cycles.study_cycles(user, study)
    tables = [
        ReportTable(
            ("Site", "Pending before activation"),
            tuple((str(s.site_number), "; ".join(i.label for i in t.pending)) for s, t in blocked),
        ),
        ReportTable(
            ("Overridden gate", "Site", "Signed by", "Signed at (UTC)", "Reason", "Pending when signed"),
            tuple(
                (
                    rules.OVERRIDE_GATE_LABELS[o.gate],
                    o.study_site.site_number if o.study_site_id else "every site",
                    o.signed_by.get_full_name() or o.signed_by.username,
                    f"{o.signed_at:%Y-%m-%d %H:%M}",
                    o.reason,
                    "; ".join(o.pending) or "—",
                )
                for o in overrides
            ),
        ),
        ReportTable(
            ("Interval", "Sites", "Median days", "Target", "Portfolio history"),
            tuple(
                (
                    rules.INTERVAL_LABELS[s.interval],
                    str(s.count),
                    _days(s.median_days),
                    _days(s.target_days),
                    _days(s.history_median_days),
                )
                for s in cycle.study
            ),
        ),
        ReportTable(
            ("Close-out obligation", "Due", "Citation"),
            tuple(
                (d.rule.what, f"{d.due_on:%Y-%m-%d}" if d.due_on else "when the trial ends", d.rule.citation)
                for d in cycles.closeout_deadlines(user, study)
            ),
        ),
    ]
    return ReportBlock(
        summary=f"{len(blocked)} site(s) blocked before activation; "
        f"{len(overrides)} gate override(s) signed.",
        figures=(
            ("Sites blocked before activation", str(len(blocked))),
            ("Gate overrides", str(len(overrides))),
        ),
        tables=tuple(tables),
        charts=(cycle.chart,) if cycle.chart else (),
    )
