"""The study page's Forecast tab (enrollment to date, the forecast fan, per-site rates) and its Recompute."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from trialdesk.core.permissions import can_manage_study
from trialdesk.sites.models import StudySite
from trialdesk.statistics import charts, forecasts, priors, scenarios
from trialdesk.statistics.permissions import can_run_forecast
from trialdesk.statistics.plan_forms import WHAT_IF_FIELD_OF, WhatIfForm
from trialdesk.studies.selectors import studies_for

DAYS_PER_MONTH = 365.25 / 12
#: Simulations of a what-if asked for on the page: enough for dates to the day or two, in about a second.
WHAT_IF_SIMS = 2000


def _tab_url(study) -> str:
    return f"{reverse('study_detail', kwargs={'study_id': study.pk})}?tab=forecast"


def forecast_tab(request, study) -> dict:
    """Context of the Forecast tab: the stored snapshot, or when there is none with today's inputs, one
    computed for this page and not stored (about a second; a GET writes nothing).

    The curve and dates are study-wide figures; the per-site rows are limited to the sites the user
    may see.
    """
    forecast = forecasts.current_enrollment_forecast(study=study)
    visible = set(StudySite.objects.visible_to(request.user).filter(study=study).values_list("pk", flat=True))
    return {
        "forecast": forecast,
        "chart": charts.fan_chart(
            forecast.actual, forecast.curve, forecast.target, planned_end=forecast.planned_end
        ),
        "forecast_band": forecasts.probability_band(forecast.probability_by_planned_end),
        "forecast_sites": [
            {
                **row,
                "rate_per_month": None
                if row["rate_per_day"] is None
                else round(row["rate_per_day"] * DAYS_PER_MONTH, 2),
            }
            for row in forecast.sites
            if row["site_id"] in visible
        ],
        "may_recompute": can_manage_study(request.user, study.pk),
        "prior_label": _(priors.SOURCE_LABELS[forecast.prior_source])
        if forecast.prior_source in priors.SOURCE_LABELS
        else "",
        **_what_if(request, study, visible),
    }


def _what_if(request, study, visible: set[int]) -> dict:
    """The what-if form (a GET: it computes and stores nothing) and, when asked, its forecast."""
    if not can_run_forecast(request.user, study.pk):
        return {"may_what_if": False}
    numbers = list(
        StudySite.objects.filter(pk__in=visible).order_by("site_number").values_list("site_number", flat=True)
    )
    form = WhatIfForm(request.GET if "whatif" in request.GET else None, site_numbers=numbers)
    scenario = None
    if form.is_bound and form.is_valid():
        try:
            scenario = scenarios.forecast_what_if(
                study=study, what_if=form.what_if(sims=WHAT_IF_SIMS), by=request.user
            )
        except ValidationError as error:
            for key, problems in error.message_dict.items():
                field = WHAT_IF_FIELD_OF.get(key.split(".")[0] if key.startswith("close_site") else key)
                form.add_error(field if field in form.fields else None, problems)
    chart = None
    if scenario and scenario["curve"]:
        curve = [
            {"on": p["week"], "mean": p["mean"], "lower": p["lower"], "upper": p["upper"]}
            for p in scenario["curve"]
        ]
        chart = charts.fan_chart([], curve, scenario["target"], planned_end=_day(scenario["planned_end"]))
    return {"may_what_if": True, "what_if_form": form, "scenario": scenario, "scenario_chart": chart}


def _day(text):
    return None if not text else dt.date.fromisoformat(text)


@login_required
def forecast_recompute(request, study_id):
    """Recompute the study's enrollment forecast now (its CRM or an administrator); GET goes to the tab."""
    study = get_object_or_404(studies_for(request.user), pk=study_id)
    if request.method != "POST":
        return redirect(_tab_url(study))
    forecasts.refresh_enrollment_forecast(study=study, by=request.user)
    messages.success(request, _("Enrollment forecast recomputed."))
    return redirect(_tab_url(study))
