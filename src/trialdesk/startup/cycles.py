"""Start-up cycle times (selection → contract → ethics → activation → first participant) per site,
country and study, against the study's targets and the portfolio's history; the start-up timeline chart;
and the study's end-of-trial and results deadlines. Reads through the reader's scope."""

from collections import defaultdict
from dataclasses import dataclass

import altair as alt
from django.db.models import Min
from django.utils.translation import gettext

from trialdesk.core import charts
from trialdesk.core.models import User
from trialdesk.feasibility.performance import selected_on
from trialdesk.finance.models import FeeSchedule
from trialdesk.regulatory.selectors import ethics_approvals_at
from trialdesk.sites import rules as site_rules
from trialdesk.sites.models import StudySite
from trialdesk.startup import rules
from trialdesk.startup.models import CycleTarget
from trialdesk.statistics.history import pending_site_starts
from trialdesk.studies.models import Milestone, Study
from trialdesk.subjects.models import Participant


@dataclass(frozen=True)
class StudyCycles:
    """A study's sites' start-up dates, the medians per interval (study, each country) against its targets
    and the history of the reader's other studies, and the timeline chart."""

    sites: list[rules.SiteCycle]
    study: list[rules.IntervalSummary]
    countries: dict[str, list[rules.IntervalSummary]]
    chart: dict | None


def site_cycles(sites: list[StudySite]) -> list[rules.SiteCycle]:
    """Each site's start-up dates, in six queries whatever the number of sites."""
    sites = list(sites)
    if not sites:
        return []
    started = pending_site_starts(sites)
    # A dated selection decision (feasibility) is the selection day; else the day the status changed.
    started.update({pk: ("selected", day) for pk, day in selected_on([s.pk for s in sites]).items()})
    contract = dict(
        FeeSchedule.objects.filter(study_site__in=sites)
        .values("study_site_id")
        .annotate(first=Min("effective_on"))
        .values_list("study_site_id", "first")
    )
    ethics = ethics_approvals_at(sites)
    first_in = dict(
        Participant.objects.filter(study_site__in=sites, enrolled_on__isnull=False)
        .values("study_site_id")
        .annotate(first=Min("enrolled_on"))
        .values_list("study_site_id", "first")
    )
    found = []
    for site in sites:
        kind, day = started.get(site.pk, ("", None))
        approvals = [a.approved_on for a in ethics.get(site.pk, [])]
        found.append(
            rules.SiteCycle(
                site.pk,
                f"{site.study.code} {site.site_number}",
                site.institution.country,
                {
                    "selected": day if kind == "selected" else None,
                    "contract": contract.get(site.pk),
                    "ethics": min(approvals, default=None),
                    "activated": site.activated_on,
                    "first_participant": first_in.get(site.pk),
                },
            )
        )
    return found


def study_cycles(user: User, study: Study) -> StudyCycles:
    sites = list(
        StudySite.objects.visible_to(user).filter(study=study).select_related("institution", "study")
    )
    cycles = site_cycles(sites)
    targets = dict(CycleTarget.objects.filter(study=study).values_list("interval", "days"))
    history = _history(user, study)
    by_country = defaultdict(list)
    for cycle in cycles:
        by_country[cycle.country].append(cycle.days)
    return StudyCycles(
        cycles,
        rules.summarise([c.days for c in cycles], targets=targets, history=history),
        {
            site_rules.country_name(country): rules.summarise(days, targets=targets, history=history)
            for country, days in sorted(by_country.items())
        },
        timeline_chart(cycles),
    )


def _history(user: User, study: Study) -> dict[str, float | None]:
    """The median of each interval over the sites of the reader's other studies (the portfolio's history)."""
    others = (
        StudySite.objects.visible_to(user)
        .exclude(study=study)
        .filter(activated_on__isnull=False)
        .select_related("institution", "study")
    )
    summary = rules.summarise([c.days for c in site_cycles(list(others))])
    return {s.interval: s.median_days for s in summary}


def timeline_chart(cycles: list[rules.SiteCycle], *, title: str = "") -> dict | None:
    """A bar per site and interval, from one start-up stage to the next (only the stages reached)."""
    rows = []
    for order, cycle in enumerate(cycles):
        reached = [(stage, cycle.dates[stage]) for stage in rules.STAGES if cycle.dates.get(stage)]
        for (a, start), (b, end) in zip(reached, reached[1:], strict=False):
            if end < start:
                continue
            rows.append(
                {
                    "site": cycle.label,
                    "order": order,
                    "start": start.isoformat(),
                    "end": end.isoformat(),
                    "interval": f"{rules.STAGE_LABELS[a]} → {rules.STAGE_LABELS[b]}",
                    "days": (end - start).days,
                }
            )
    if not rows:
        return None
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar(size=10)
        .encode(
            x=alt.X("start:T", title=gettext("Date"), axis=alt.Axis(format="%b %Y")),
            x2="end:T",
            y=alt.Y("site:N", title=None, sort=alt.EncodingSortField("order")),
            color=alt.Color("interval:N"),
            tooltip=["site:N", "interval:N", "days:Q"],
        )
        .properties(width=charts.WIDTH, height=max(80, 20 * len(cycles)))
    )
    return (
        chart.properties(title=title or gettext("Start-up timeline per site"))
        .configure(font=charts.FONT)
        .configure_view(stroke=None)
        .configure_legend(orient="bottom", title=None)
        .to_dict(validate=False)
    )


def closeout_deadlines(user: User, study: Study) -> list[rules.Deadline]:
    """The study's end-of-trial notifications and results deadlines, from the countries of its sites and
    its milestones (end of trial: last participant's last visit, actual; primary completion: a custom
    milestone named so, else the end of trial)."""
    countries = set(
        StudySite.objects.visible_to(user).filter(study=study).values_list("institution__country", flat=True)
    )
    milestones = Milestone.objects.filter(study=study, study_site__isnull=True, actual_on__isnull=False)
    end = primary = None
    for milestone in milestones:
        if milestone.kind == "last_participant_last_visit":
            end = milestone.actual_on
        elif milestone.kind == "custom" and "primary completion" in milestone.name.lower():
            primary = milestone.actual_on
    return rules.closeout_deadlines(countries=countries, end_of_trial=end, primary_completion=primary or end)
