"""The enrollment dimension of a study's health: the latest stored forecast's probability of reaching the
target on time (statistics.rules.enrollment_health), linking to the Forecast tab.

The forecast is a study-wide aggregate, shown to everyone on the study (as on the Forecast tab); reading
it never computes one (a GET writes nothing, and a fit takes a second): with no stored forecast the
reading is unknown until the nightly command or the tab's Recompute stores one.
"""

from trialdesk.core.extensions import HealthReading, HealthSignal, HealthThreshold
from trialdesk.statistics import rules
from trialdesk.studies.pages import tab_url
from trialdesk.studies.thresholds import threshold


def read_enrollment(user, study, today) -> HealthReading:
    """One query: the study's latest stored forecast."""
    # Here, not at the top: forecasts imports scipy, which start-up need not (statistics.apps).
    from trialdesk.statistics.forecasts import latest_forecasts

    forecast = latest_forecasts([study.pk]).get(study.pk)
    colour, why = rules.enrollment_health(
        state=forecast.state if forecast else None,
        probability=forecast.probability_by_planned_end if forecast else None,
        reason=forecast.reason if forecast else "",
        green_from=threshold(study, GREEN_FROM.key) / 100,
        amber_from=threshold(study, AMBER_FROM.key) / 100,
    )
    if forecast is not None:
        why = f"{why} (forecast of {forecast.as_of.isoformat()})"
    return HealthReading("enrollment", colour, why, tab_url(study, "forecast"))


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
