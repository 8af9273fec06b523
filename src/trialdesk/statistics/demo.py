"""The statistics part of the demo portfolio: each study's recruitment plan (a first version from its
sites' planned activations and targets, and for the first study a second version after a delay), and
each study's enrollment forecast, stored at load as the nightly `trialdesk forecast refresh` would store
it, so that the portfolio's Forecast column and the study's enrollment health read a forecast from the
start instead of "no forecast yet"."""

import datetime as dt

from trialdesk.core.demo import DemoContext
from trialdesk.sites.models import StudySite
from trialdesk.statistics import plans, rules
from trialdesk.statistics.forecasts import refresh_enrollment_forecast
from trialdesk.studies.models import Study

#: Months over which the demo plan spreads each site's target after its planned activation.
RECRUITING_MONTHS = 12


def load(demo: DemoContext) -> None:
    """The demo step (core.extensions.demo_loaders), after the participants are enrolled."""
    studies = list(Study.objects.order_by("code"))
    for index, study in enumerate(studies):
        lines = plan_lines(study)
        if not lines:
            continue
        plans.create_recruitment_plan(
            study=study, lines=lines, reason="Recruitment plan agreed at the kick-off meeting", by=demo.admin
        )
        if index == 0:
            slower = [
                {**line, "planned_enrollment": max(line["planned_enrollment"] - 1, 0)} for line in lines
            ]
            plans.create_recruitment_plan(
                study=study,
                lines=slower,
                reason="Re-planned after slower screening than expected at the first sites",
                by=demo.admin,
            )
    for study in studies:
        refresh_enrollment_forecast(study=study, as_of=demo.today)
    demo.summary.append(f"{len(studies)} recruitment plans and enrollment forecasts")


def plan_lines(study: Study) -> list[dict]:
    """Each site: its activation in the month it was planned, then its target spread evenly over the
    following RECRUITING_MONTHS months (the remainder in the first ones)."""
    lines = []
    sites = StudySite.objects.filter(study=study, planned_activation_on__isnull=False).select_related(
        "institution"
    )
    for site in sites.order_by("site_number"):
        start = site.planned_activation_on
        share, extra = divmod(site.target_enrollment, RECRUITING_MONTHS)
        for k in range(RECRUITING_MONTHS + 1):
            month = _month_after(start, k)
            planned = 0 if k == 0 else share + (1 if k <= extra else 0)
            lines.append(
                {
                    "month": month,
                    "country": site.institution.country,
                    "site": site.site_number,
                    "planned_activations": 1 if k == 0 else 0,
                    "planned_enrollment": planned,
                }
            )
    return lines


def _month_after(day: dt.date, months: int) -> str:
    year, month = divmod(day.month - 1 + months, 12)
    return rules.month_of(dt.date(day.year + year, month + 1, 1))
