"""Oversight figures of a CRA's or a site's monitoring: visits done against the plan, report
turnaround, SDV coverage against the tier's target."""

import datetime as dt
import statistics
from collections.abc import Iterable


def expected_interim_visits(
    *, first_enrolled_on: dt.date | None, today: dt.date, interval_days: int, first_imv_weeks: int
) -> int:
    """Interim visits the plan asks for up to `today`: the first one `first_imv_weeks` after the first
    participant, then one every `interval_days` (the tier in force now, applied to the whole period)."""
    if first_enrolled_on is None:
        return 0
    first_due = first_enrolled_on + dt.timedelta(weeks=first_imv_weeks)
    if first_due > today:
        return 0
    return 1 + (today - first_due).days // interval_days


def median_days(pairs: Iterable[tuple[dt.date | None, dt.date | None]]) -> float | None:
    """The median number of days from the first to the second date of each complete pair."""
    days = [(end - start).days for start, end in pairs if start is not None and end is not None]
    return float(statistics.median(days)) if days else None


def coverage_percent(verified: int, population: int) -> float | None:
    """Share of the population verified, in per cent (None with nobody to verify)."""
    return None if population <= 0 else round(100 * min(verified, population) / population, 1)


def coverage_gap(coverage: float | None, target: int | None) -> bool:
    """Whether coverage falls short of the target (unknown coverage is no shortfall to report)."""
    return coverage is not None and target is not None and coverage < target
