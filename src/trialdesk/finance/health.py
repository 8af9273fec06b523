"""The budget dimension of a study's health: the estimate at completion against the budget
(rules.forecast.budget_health), linking to the Finance tab. Budget figures are totals: shown to the
study's finance readers and sponsor viewers, "hidden" (unknown) to everyone else."""

from decimal import Decimal

from django.utils.translation import gettext

from trialdesk.core.extensions import UNKNOWN, HealthReading, HealthSignal, HealthThreshold
from trialdesk.finance import estimates
from trialdesk.finance.permissions import can_read_totals
from trialdesk.finance.rules import forecast
from trialdesk.studies.pages import tab_url
from trialdesk.studies.thresholds import threshold


def read_budget(user, study, today) -> HealthReading:
    url = tab_url(study, "finance")
    if not can_read_totals(user, study.pk):
        return HealthReading(
            "budget", UNKNOWN, gettext("hidden: budget figures are not shown to your role"), ""
        )
    figures = estimates.study_finance(study, today, with_sites=False)
    colour, why = forecast.budget_health(
        budget=figures.budget if figures else None,
        eac=figures.eac if figures else None,
        currency=figures.currency if figures else "EUR",
        red_overrun_percent=Decimal(str(threshold(study, RED_OVERRUN.key))),
    )
    return HealthReading("budget", colour, why, url)


BUDGET = HealthSignal("budget", "Estimate at completion", read_budget, order=30)
RED_OVERRUN = HealthThreshold(
    "budget.red_overrun_percent",
    "Budget turns red when the median estimate at completion overruns it by more than",
    float(forecast.RED_OVERRUN_PERCENT),
    "%",
    minimum=0,
    maximum=100,
    order=30,
)
