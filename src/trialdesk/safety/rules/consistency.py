"""Whether an adverse event's facts agree with each other, and CTCAE term suggestions."""

import datetime as dt
import difflib
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from trialdesk.safety.rules.reportable import SERIOUSNESS

# Adverse event consistency -------------------------------------------------------------------------------

RELATED_CAUSALITIES = frozenset({"related", "definitely", "probably", "possibly"})
FATAL_OUTCOME = "fatal"
# How far ahead of the server's clock a recorded time may be (a workstation's clock a little fast).
CLOCK_SKEW = dt.timedelta(minutes=5)


def is_related(causality: str) -> bool | None:
    """Related for reporting: 'related' or the first three points of the 5-point scale; None if unassessed."""
    if not causality:
        return None
    return causality in RELATED_CAUSALITIES


def adverse_event_problems(
    *,
    grade: int | None,
    outcome: str,
    seriousness: Sequence[str],
    onset_on: dt.date | None,
    resolved_on: dt.date | None,
    site_aware_at: dt.datetime | None,
    sponsor_aware_at: dt.datetime | None,
    site_zone: ZoneInfo | None,
    defined_grades: Iterable[int] | None = None,
) -> dict[str, str]:
    """What is inconsistent in one version of an adverse event, by field (empty when nothing is)."""
    errors = {}
    if grade is not None and not 1 <= grade <= 5:
        errors["grade"] = "CTCAE grades run from 1 to 5."
    elif grade is not None and defined_grades is not None and grade not in set(defined_grades):
        errors["grade"] = f"CTCAE v5.0 defines no grade {grade} for this term."
    if grade == 5 and outcome != FATAL_OUTCOME:
        errors["outcome"] = "Grade 5 is death related to the event: the outcome must be fatal."
    if outcome == FATAL_OUTCOME and "death" not in seriousness:
        errors["seriousness"] = "A fatal event is serious with the criterion death."
    if any(s not in SERIOUSNESS for s in seriousness):
        errors["seriousness"] = f"Use criteria from {', '.join(SERIOUSNESS)}."
    if onset_on and resolved_on and resolved_on < onset_on:
        errors["resolved_on"] = "The event cannot resolve before its onset."
    if onset_on and site_aware_at and site_zone:
        if site_aware_at.astimezone(site_zone).date() < onset_on:
            errors["site_aware_at"] = "The site cannot become aware of the event before its onset."
    if site_aware_at and sponsor_aware_at and sponsor_aware_at < site_aware_at:
        errors["sponsor_aware_at"] = "The sponsor cannot become aware before the site did."
    return errors


def future_problems(
    *,
    onset_on: dt.date | None,
    site_aware_at: dt.datetime | None,
    sponsor_aware_at: dt.datetime | None,
    site_today: dt.date,
    now: dt.datetime,
) -> dict[str, str]:
    """Facts of an adverse event that lie in the future, by field: the onset after the site's today (its
    own calendar), an awareness after this moment (give or take a clock a few minutes fast). A reporting
    clock cannot start on a day not yet come."""
    errors = {}
    if onset_on and onset_on > site_today:
        errors["onset_on"] = f"The onset is in the future (today at the site is {site_today.isoformat()})."
    if site_aware_at and site_aware_at > now + CLOCK_SKEW:
        errors["site_aware_at"] = "The site cannot become aware of the event in the future."
    if sponsor_aware_at and sponsor_aware_at > now + CLOCK_SKEW:
        errors["sponsor_aware_at"] = "The sponsor cannot become aware of the event in the future."
    return errors


def closest_terms(term: str, known: Sequence[str], n: int = 5) -> list[str]:
    """The known terms nearest to `term` (difflib), for 'did you mean'."""
    lowered = {k.lower(): k for k in known}
    return [lowered[m] for m in difflib.get_close_matches(term.lower(), list(lowered), n=n, cutoff=0.5)]
