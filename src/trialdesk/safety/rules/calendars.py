"""Holiday calendars and working days, for clocks that count working days."""

import datetime as dt
import functools

import holidays

# Holidays ------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=512)
def holiday_dates(calendar: str, year: int) -> frozenset[dt.date]:
    """Public holidays of `calendar` in `year`: an ISO country code, `GB-ENG`, or `ECB` (TARGET days)."""
    if calendar == "ECB":
        return frozenset(holidays.financial_holidays("XECB", years=year))
    country, _, subdivision = calendar.partition("-")
    return frozenset(holidays.country_holidays(country, subdiv=subdivision or None, years=year))


def holiday_calendar_problem(calendar: str) -> str | None:
    if calendar == "ECB":
        return None
    country = calendar.partition("-")[0]
    if country not in holidays.list_supported_countries():
        return f"No public holiday calendar is known for {calendar!r}."
    return None


def is_working_day(day: dt.date, calendar: str | None) -> bool:
    if day.weekday() >= 5:
        return False
    return calendar is None or day not in holiday_dates(calendar, day.year)


def add_working_days(start: dt.date, days: int, calendar: str | None) -> dt.date:
    """The `days`-th working day after `start` (the start day itself is day 0, whatever day it is)."""
    day = start
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day, calendar):
            counted += 1
    return day
