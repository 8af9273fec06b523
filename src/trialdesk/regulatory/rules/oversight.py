"""Submissions, approval dates and continuing review, the ethics approval in force, and its health."""

import calendar
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext, ngettext

from trialdesk.core.extensions import AMBER, GREEN, RED
from trialdesk.core.extensions import UNKNOWN as UNKNOWN_HEALTH

APPROVED = "approved"
APPROVED_WITH_CONDITIONS = "approved_with_conditions"
REJECTED = "rejected"
ACKNOWLEDGED = "acknowledged"
# An authorisation the law deems given when the authority does not decide within its period (EU CTR tacit
# authorisation, a UK notice not objected to within 35 days), recorded with the day it took effect.
DEEMED_APPROVED = "deemed_approved"
APPROVING_OUTCOMES = frozenset({APPROVED, APPROVED_WITH_CONDITIONS, DEEMED_APPROVED})
# Submissions whose approval puts (or keeps) a study in force at a site; an amendment's approval does
# not restart the continuing-review clock.
APPROVAL_KINDS = frozenset({"initial", "continuing_review"})


# --- dates ------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months; the 31st of a shorter month becomes its last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def continuing_review_due_on(*, approved_on: date, period_months: int | None) -> date | None:
    """The last day an approval is in force when its committee reviews every `period_months` months.

    An approval granted on 15 January for 12 months runs to 14 January of the next year (OHRP, Guidance
    on IRB Continuing Review of Research, 2010, section C: "expiration date ... one year after ... minus
    one day"). None when the committee has no periodic review.
    """
    if not period_months:
        return None
    return add_months(approved_on, period_months) - timedelta(days=1)


def approval_valid_until(
    *, approved_on: date, expires_on: date | None, period_months: int | None
) -> date | None:
    """The last day of an approval: the expiry the committee stated, else its continuing-review period."""
    if expires_on is not None:
        return expires_on
    return continuing_review_due_on(approved_on=approved_on, period_months=period_months)


def days_left(*, due_on: date | None, today: date) -> int | None:
    """Days from `today` to `due_on` (0 on the day itself, negative once past); None without a date."""
    return None if due_on is None else (due_on - today).days


def countdown(days: int | None) -> str:
    """The countdown as the Regulatory tab shows it."""
    if days is None:
        return gettext("no expiry")
    if days < 0:
        return ngettext("lapsed %(days)s day ago", "lapsed %(days)s days ago", -days) % {"days": -days}
    if days == 0:
        return gettext("last day today")
    return ngettext("%(days)s day left", "%(days)s days left", days) % {"days": days}


# --- submissions ------------------------------------------------------------------------------


def submission_problems(
    *,
    kind: str,
    to_committee: bool,
    to_authority: bool,
    has_protocol_version: bool,
    submitted_on: date | None,
    outcome: str,
    decided_on: date | None,
    expires_on: date | None,
    today: date | None = None,
) -> Iterator[tuple[str, str]]:
    """Each (field, problem) of a submission and its decision; nothing when it may be saved."""
    if to_committee == to_authority:
        yield (
            "authority" if to_authority else "ethics_committee",
            "A submission goes either to an ethics committee or to an authority.",
        )
    if kind == "amendment" and not has_protocol_version:
        yield "protocol_version", "An amendment names the protocol version it submits."
    if today is not None and submitted_on is not None and submitted_on > today:
        yield "submitted_on", f"The submission date is in the future (today is {today.isoformat()})."
    if outcome and decided_on is None:
        yield "decided_on", "A decision needs its date."
    if decided_on is not None and not outcome:
        yield "outcome", "A decision date needs the outcome."
    if decided_on is not None and submitted_on is not None and decided_on < submitted_on:
        yield (
            "decided_on",
            f"The approval is dated before its submission ({submitted_on.isoformat()}).",
        )
    if today is not None and decided_on is not None and decided_on > today:
        yield "decided_on", f"The decision date is in the future (today is {today.isoformat()})."
    if expires_on is not None:
        if outcome not in APPROVING_OUTCOMES:
            yield "expires_on", "Only an approval has an expiry date."
        elif decided_on is not None and expires_on <= decided_on:
            yield "expires_on", f"The expiry is not after the approval ({decided_on.isoformat()})."


# --- ethics approval in force and enrollment --------------------------------------------------


@dataclass(frozen=True)
class EthicsApproval:
    """An ethics approval of the study at a site: from `approved_on` to `valid_until` (None: open-ended),
    why it runs that long (`basis`, the law's `citation`, and whether that source was read)."""

    approved_on: date
    valid_until: date | None
    basis: str = ""
    citation: str = ""
    verified: bool = True


def approval_in_force(approvals: Iterable[EthicsApproval], *, on: date) -> EthicsApproval | None:
    """The approval a site works under on `on`: the latest granted by then (a renewal replaces the last)."""
    granted = [a for a in approvals if a.approved_on <= on]
    return max(granted, key=lambda a: a.approved_on, default=None)


def enrollment_block_reason(approvals: Sequence[EthicsApproval], *, on: date) -> str | None:
    """Why a site may not enroll on `on` for lack of ethics approval, or None.

    A site with no approval records at all is not yet keeping its approvals in Trialdesk and is not
    blocked; once it has one, it enrolls only under an approval in force that day.
    """
    if not approvals:
        return None
    current = approval_in_force(approvals, on=on)
    if current is None:
        first = min(a.approved_on for a in approvals)
        return gettext(
            "The site has no ethics approval in force on %(on)s (its first approval is dated %(first)s)."
        ) % {"on": on.isoformat(), "first": first.isoformat()}
    if current.valid_until is not None and current.valid_until < on:
        return gettext(
            "The site's ethics approval lapsed after %(on)s (continuing review not renewed): no enrollment "
            "until the renewal is recorded."
        ) % {"on": current.valid_until.isoformat()}
    return None


def new_version_use_problem(
    *, ethics_approved_on: date | None, used_on: date, version: str, what: str
) -> str | None:
    """Why a site may not use protocol `version` (its consent or schedule) on `used_on`, or None."""
    if ethics_approved_on is None:
        return (
            f"The site's ethics approval of protocol v{version} is not recorded: {what} may not be used yet."
        )
    if used_on < ethics_approved_on:
        return (
            f"The site's ethics approval of protocol v{version} is dated {ethics_approved_on.isoformat()}: "
            f"{what} may not be used before it."
        )
    return None


# --- health and "my work": ethics approvals of active sites ----------------------------------------------

#: An approval that lapses within this many days makes the study's compliance amber.
APPROVAL_WARNING_DAYS = 30
#: A CRM's "my work" lists approvals lapsing within this many days: time to submit the continuing review.
APPROVAL_WORK_DAYS = 60


@dataclass(frozen=True)
class ApprovalStanding:
    """An active site's ethics approval as the health rule sees it (the Regulatory tab's countdown)."""

    site_number: str
    recorded: bool  # the site has at least one approval on record
    in_force: bool  # no enrollment block: an approval in force today that has not lapsed
    days_left: int | None = None  # to the last day of the approval in force; None: open-ended or none


def approvals_health(
    standings: Sequence[ApprovalStanding], *, warning_days: int = APPROVAL_WARNING_DAYS
) -> tuple[str, str]:
    """(colour, why) of the ethics approvals at a study's active sites: red when one has lapsed (or is not
    yet in force), amber when one lapses within `warning_days` or an active site has none on record,
    green when all are in force; unknown with no active site."""
    if not standings:
        return UNKNOWN_HEALTH, gettext("no active sites")
    lapsed = [s.site_number for s in standings if s.recorded and not s.in_force]
    expiring = [
        s.site_number
        for s in standings
        if s.recorded and s.in_force and s.days_left is not None and s.days_left <= warning_days
    ]
    unrecorded = [s.site_number for s in standings if not s.recorded]
    reasons = []
    if lapsed:
        reasons.append(
            ngettext("lapsed at site %(sites)s", "lapsed at sites %(sites)s", len(lapsed))
            % {"sites": ", ".join(lapsed)}
        )
    if expiring:
        reasons.append(
            ngettext(
                "lapsing within %(days)s days at site %(sites)s",
                "lapsing within %(days)s days at sites %(sites)s",
                len(expiring),
            )
            % {"days": warning_days, "sites": ", ".join(expiring)}
        )
    if unrecorded:
        reasons.append(
            ngettext("none recorded at site %(sites)s", "none recorded at sites %(sites)s", len(unrecorded))
            % {"sites": ", ".join(unrecorded)}
        )
    if not reasons:
        count = len(standings)
        return GREEN, ngettext(
            "ethics approval in force at %(count)s active site",
            "ethics approval in force at %(count)s active sites",
            count,
        ) % {"count": count}
    return (RED if lapsed else AMBER), gettext("ethics approval %(reasons)s") % {
        "reasons": "; ".join(reasons)
    }
