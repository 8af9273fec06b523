"""The study page's Forecast tab (enrollment to date, the forecast fan, per-site rates) and its Recompute."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from trialdesk.core.permissions import can_manage_study
from trialdesk.sites.models import StudySite
from trialdesk.statistics import charts, forecasts
from trialdesk.studies.selectors import studies_for

DAYS_PER_MONTH = 365.25 / 12


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
    }


@login_required
def forecast_recompute(request, study_id):
    """Recompute the study's enrollment forecast now (its CRM or an administrator); GET goes to the tab."""
    study = get_object_or_404(studies_for(request.user), pk=study_id)
    if request.method != "POST":
        return redirect(_tab_url(study))
    forecasts.refresh_enrollment_forecast(study=study, by=request.user)
    messages.success(request, "Enrollment forecast recomputed.")
    return redirect(_tab_url(study))
