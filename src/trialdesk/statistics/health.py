"""The enrollment dimension of a study's health: the latest stored forecast's probability of reaching the
target on time (statistics.rules.enrollment_health), linking to the Forecast tab.

The forecast is a study-wide aggregate, shown to everyone on the study (as on the Forecast tab); reading
it never computes one (a GET writes nothing, and a fit takes a second): with no stored forecast the
reading is unknown until the nightly command or the tab's Recompute stores one.
"""

from django.utils.translation import gettext as _

from trialdesk.core.extensions import HealthReading, HealthSignal, HealthThreshold
from trialdesk.statistics import rules
from trialdesk.studies.pages import tab_url
from trialdesk.studies.thresholds import threshold


def read_enrollment(user, study, today) -> HealthReading:
    """One query: the study's latest stored forecast."""
    # Here, not at the top: forecasts imports scipy, which start-up need not (statistics.apps).
    from trialdesk.statistics.forecasts import latest_forecasts

    forecast = latest_forecasts([study.pk]).get(study.pk)
    colour, _why = rules.enrollment_health(
        state=forecast.state if forecast else None,
        probability=forecast.probability_by_planned_end if forecast else None,
        reason=forecast.reason if forecast else "",
        green_from=threshold(study, GREEN_FROM.key) / 100,
        amber_from=threshold(study, AMBER_FROM.key) / 100,
    )
    why = _translated_why(forecast)
    if forecast is not None:
        why = _("%(why)s (forecast of %(day)s)") % {"why": why, "day": forecast.as_of.isoformat()}
    return HealthReading("enrollment", colour, why, tab_url(study, "forecast"))


def _translated_why(forecast) -> str:
    """rules.enrollment_health's reason in the reader's language (the rule keeps its English words)."""
    if forecast is None:
        return _("no forecast yet")
    if forecast.state == rules.TARGET_REACHED:
        return _("target reached")
    if forecast.state == rules.NOT_ENOUGH_DATA:
        if forecast.reason:
            return _("not enough data for a forecast: %(reason)s") % {"reason": forecast.reason}
        return _("not enough data for a forecast")
    if forecast.probability_by_planned_end is None:
        return _("no planned last participant in date to forecast against")
    return _("%(probability)s probability of reaching the target by the planned last participant in") % {
        "probability": f"{forecast.probability_by_planned_end:.0%}"
    }


ENROLLMENT = HealthSignal("enrollment", "Enrollment forecast", read_enrollment, order=10)
GREEN_FROM = HealthThreshold(
    "enrollment.green_from_percent",
    "Enrollment is green from this probability of reaching the target on time",
    rules.PROBABILITY_BANDS[0][0] * 100,
    "%",
    minimum=0,
    maximum=100,
    order=10,
)
AMBER_FROM = HealthThreshold(
    "enrollment.amber_from_percent",
    "Enrollment is amber (not red) from this probability",
    rules.PROBABILITY_BANDS[1][0] * 100,
    "%",
    minimum=0,
    maximum=100,
    order=11,
)
THRESHOLDS = (GREEN_FROM, AMBER_FROM)
