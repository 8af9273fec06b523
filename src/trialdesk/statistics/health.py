"""The enrollment dimension of a study's health: the latest stored forecast's probability of reaching the
target on time (statistics.rules.enrollment_health), linking to the Forecast tab.

The forecast is a study-wide aggregate, shown to everyone on the study (as on the Forecast tab); reading
it never computes one (a GET writes nothing, and a fit takes a second): with no stored forecast the
reading is unknown until the nightly command or the tab's Recompute stores one.
"""

from trialdesk.core.extensions import HealthReading, HealthSignal
from trialdesk.statistics import rules
from trialdesk.statistics.forecasts import latest_forecasts
from trialdesk.studies.pages import tab_url


def read_enrollment(user, study, today) -> HealthReading:
    """One query: the study's latest stored forecast."""
    forecast = latest_forecasts([study.pk]).get(study.pk)
    colour, why = rules.enrollment_health(
        state=forecast.state if forecast else None,
        probability=forecast.probability_by_planned_end if forecast else None,
        reason=forecast.reason if forecast else "",
    )
    if forecast is not None:
        why = f"{why} (forecast of {forecast.as_of.isoformat()})"
    return HealthReading("enrollment", colour, why, tab_url(study, "forecast"))


ENROLLMENT = HealthSignal("enrollment", "Enrollment forecast", read_enrollment, order=10)
