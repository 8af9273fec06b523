"""The budget dimension of a study's health: the estimate at completion against the budget
(rules.forecast.budget_health), linking to the Finance tab. Budget figures are totals: shown to the
study's finance readers and sponsor viewers, "hidden" (unknown) to everyone else."""

from trialdesk.core.extensions import UNKNOWN, HealthReading, HealthSignal
from trialdesk.finance import estimates
from trialdesk.finance.permissions import can_read_totals
from trialdesk.finance.rules import forecast
from trialdesk.studies.pages import tab_url


def read_budget(user, study, today) -> HealthReading:
    url = tab_url(study, "finance")
    if not can_read_totals(user, study.pk):
        return HealthReading("budget", UNKNOWN, "hidden: budget figures are not shown to your role", "")
    figures = estimates.study_finance(study, today, with_sites=False)
    colour, why = forecast.budget_health(
        budget=figures.budget if figures else None,
        eac=figures.eac if figures else None,
        currency=figures.currency if figures else "EUR",
    )
    return HealthReading("budget", colour, why, url)


BUDGET = HealthSignal("budget", "Estimate at completion", read_budget, order=30)
