"""Pure rules for studies: NCT numbers, protocol version lifecycle, milestone variance and lateness."""

import re
import string
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext, ngettext

from trialdesk.core.extensions import AMBER, GREEN, RED, UNKNOWN

NCT_PATTERN = re.compile(r"^NCT\d{8}$")


def nct_number_problem(value: str) -> str | None:
    """Why a ClinicalTrials.gov identifier is malformed, or None when it is well formed."""
    if not value:
        return None
    if not NCT_PATTERN.match(value):
        return "An NCT number is 'NCT' followed by exactly 8 digits, e.g. NCT01234567."
    return None


# Protocol versions move forward only: a version is drafted, submitted for approval, approved,
# made effective, and superseded when a later version becomes effective.
PROTOCOL_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("submitted",),
    "submitted": ("approved", "draft"),
    "approved": ("effective",),
    "effective": ("superseded",),
    "superseded": (),
}


def protocol_transition_problem(current: str, target: str) -> str | None:
    """Why a protocol version may not move from `current` to `target`, or None when it may."""
    allowed = PROTOCOL_TRANSITIONS.get(current, ())
    if target in allowed:
        return None
    if not allowed:
        return f"A {current} protocol version cannot change status."
    return f"A {current} protocol version can move only to: {', '.join(allowed)}."


def protocol_dates_problems(
    *, version_date: date, submitted_on: date | None, approved_on: date | None, effective_on: date | None
) -> dict[str, str]:
    """Dates of a protocol version that contradict each other, by field: it is submitted no earlier than
    its own date, approved no earlier than its submission (nor its date), and in effect no earlier than its
    approval."""
    problems = {}
    if submitted_on and submitted_on < version_date:
        problems["submitted_on"] = f"It cannot be submitted before its version date ({version_date})."
    if approved_on and submitted_on and approved_on < submitted_on:
        problems["approved_on"] = f"The approval cannot predate the submission ({submitted_on})."
    elif approved_on and approved_on < version_date:
        problems["approved_on"] = f"The approval cannot predate the version date ({version_date})."
    if effective_on and approved_on and effective_on < approved_on:
        problems["effective_on"] = f"It cannot take effect before its approval ({approved_on})."
    return problems


@dataclass(frozen=True)
class MilestoneStanding:
    """Where a milestone stands against its baseline on a given day."""

    variance_days: int | None
    is_late: bool
    is_done: bool


def milestone_standing(
    *, baseline_on: date | None, forecast_on: date | None, actual_on: date | None, today: date
) -> MilestoneStanding:
    """Variance = (actual, else forecast, else baseline) − baseline in calendar days; positive is late.

    A milestone is late when it was done after its baseline, when its forecast is past the baseline,
    or when it is not done and its baseline (or forecast) date has already gone by.
    """
    if actual_on is not None:
        variance = (actual_on - baseline_on).days if baseline_on else None
        return MilestoneStanding(variance, bool(variance and variance > 0), True)
    expected = forecast_on or baseline_on
    variance = (expected - baseline_on).days if (baseline_on and expected) else None
    overdue = expected is not None and expected < today
    return MilestoneStanding(variance, bool((variance and variance > 0) or overdue), False)


def actual_date_problem(actual_on: date | None, today: date) -> str | None:
    if actual_on is not None and actual_on > today:
        return f"An actual date cannot be in the future (today is {today.isoformat()})."
    return None


# --- participant numbers ----------------------------------------------------------------------

NUMBER_FIELDS = frozenset({"site", "seq", "study"})
NUMBER_MAX_LENGTH = 40
DEFAULT_NUMBER_FORMAT = "{site}-{seq:03d}"


def number_format_problem(template: str) -> str | None:
    """Why `template` cannot make participant numbers; None if it can.

    A template uses {site} (the site number), {study} (the protocol number) and must use {seq}
    (a running number), each with an optional format such as {seq:03d}.
    """
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError:
        return "The format has an unmatched brace: write placeholders as {site} or {seq:03d}."
    unknown = sorted({name for name in fields if name not in NUMBER_FIELDS})
    if unknown:
        return f"Unknown placeholder {{{unknown[0]}}}: use only {{site}}, {{seq}} and {{study}}."
    if "seq" not in fields:
        return "The format needs the running number {seq}, e.g. {site}-{seq:03d}."
    try:
        example = participant_number(template, site="101", seq=1, study="ABC-123")
    except (ValueError, TypeError):
        return "A placeholder's format is not valid: {seq} takes a number format such as {seq:03d}."
    if not example.strip():
        return "The format makes empty participant numbers."
    if len(example) > NUMBER_MAX_LENGTH - 4:
        return f"The format makes numbers too long (at most {NUMBER_MAX_LENGTH} characters)."
    return None


def participant_number(template: str, *, site: str, seq: int, study: str) -> str:
    """The participant number `template` gives for site number `site`, running number `seq` and study code."""
    return template.format(site=site, seq=seq, study=study)


def numbers_run_per_site(template: str) -> bool:
    """Whether the running number restarts at each site (the template names the site) or runs study-wide."""
    return bool(re.search(r"{site[:}]", template))


# --- health: timeline -------------------------------------------------------------------------

#: An open milestone this many days or fewer behind its baseline makes the timeline amber; more, red.
TIMELINE_RED_AFTER_DAYS = 30


def days_late(*, baseline_on: date | None, forecast_on: date | None, today: date) -> int:
    """How many days an open (not done) milestone runs behind its baseline on `today`; 0 when on time.

    It cannot be done before today, so it is late by the later of its forecast and today, less its
    baseline; without a baseline, by the days its forecast has gone by.
    """
    expected = forecast_on or baseline_on
    if expected is None:
        return 0
    if baseline_on is None:
        return max(0, (today - expected).days)
    return max(0, (max(expected, today) - baseline_on).days)


def timeline_health(
    open_milestones: list[tuple[str, int]], *, red_after_days: int = TIMELINE_RED_AFTER_DAYS
) -> tuple[str, str]:
    """(colour, why) of a study's timeline from its open milestones as (label, days late) pairs.

    Red when one is more than `red_after_days` late, amber when any is late, green otherwise (unknown
    when nothing is planned and still open).
    """
    if not open_milestones:
        return UNKNOWN, gettext("no open milestones")
    late = sorted((pair for pair in open_milestones if pair[1] > 0), key=lambda pair: -pair[1])
    count = len(open_milestones)
    if not late:
        return GREEN, ngettext(
            "%(count)s open milestone, none late", "%(count)s open milestones, none late", count
        ) % {"count": count}
    label, worst = late[0]
    colour = RED if worst > red_after_days else AMBER
    how_many = ngettext(
        "%(late)s of %(count)s open milestone late", "%(late)s of %(count)s open milestones late", count
    ) % {"late": len(late), "count": count}
    worst_one = ngettext("%(label)s by %(days)s day", "%(label)s by %(days)s days", worst) % {
        "label": label,
        "days": worst,
    }
    return colour, f"{how_many}; {worst_one}"
