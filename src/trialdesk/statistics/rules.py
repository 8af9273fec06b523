"""Pure rules of the statistics app: how a forecast's probability of reaching the target on time reads."""

from trialdesk.core.extensions import AMBER, GREEN, RED, UNKNOWN

#: Probability bands the portfolio colours studies by: (lowest probability, band), highest first.
PROBABILITY_BANDS = ((0.8, "good"), (0.5, "watch"), (0.0, "poor"))
#: The enrollment health colour of each band (the same thresholds: one place for them).
BAND_COLOURS = {"good": GREEN, "watch": AMBER, "poor": RED, "none": UNKNOWN}

# Forecast states, as statistics.models.ForecastState stores them.
FORECAST = "forecast"
NOT_ENOUGH_DATA = "not_enough_data"
TARGET_REACHED = "target_reached"


def probability_band(probability: float | None) -> str:
    """'good' (≥ 0.8), 'watch' (0.5–0.8), 'poor' (< 0.5), or 'none' when there is no forecast."""
    if probability is None:
        return "none"
    return next(band for lowest, band in PROBABILITY_BANDS if probability >= lowest)


def enrollment_health(*, state: str | None, probability: float | None, reason: str = "") -> tuple[str, str]:
    """(colour, why) of a study's enrollment from its latest stored forecast (state None: none stored).

    Green from an 80% probability of reaching the target by the planned last participant in, amber from
    50%, red below; unknown with the reason when there is no forecast, too little data, or no planned end.
    """
    if state is None:
        return UNKNOWN, "no forecast yet"
    if state == TARGET_REACHED:
        return GREEN, "target reached"
    if state == NOT_ENOUGH_DATA:
        return UNKNOWN, f"not enough data for a forecast{': ' + reason if reason else ''}"
    if probability is None:
        return UNKNOWN, "no planned last participant in date to forecast against"
    return (
        BAND_COLOURS[probability_band(probability)],
        f"{probability:.0%} probability of reaching the target by the planned last participant in",
    )
