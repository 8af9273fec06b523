"""Regulatory rules with no I/O: submissions, continuing review, enrollment blocks, checklists."""

import calendar
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from trialdesk.core.extensions import AMBER, GREEN, RED
from trialdesk.core.extensions import UNKNOWN as UNKNOWN_HEALTH

APPROVED = "approved"
APPROVED_WITH_CONDITIONS = "approved_with_conditions"
REJECTED = "rejected"
ACKNOWLEDGED = "acknowledged"
APPROVING_OUTCOMES = frozenset({APPROVED, APPROVED_WITH_CONDITIONS})
# Submissions whose approval puts (or keeps) a study in force at a site; an amendment's approval does
# not restart the continuing-review clock.
APPROVAL_KINDS = frozenset({"initial", "continuing_review"})

# Checklist item states, shown as they are.
DONE = "done"
PENDING = "pending"
BLOCKED = "blocked"
NOT_REQUIRED = "not_required"
UNKNOWN = "unknown"
TO_CHECK = "to_check"


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
        return "no expiry"
    if days < 0:
        return f"lapsed {-days} day{'s' if days != -1 else ''} ago"
    if days == 0:
        return "last day today"
    return f"{days} day{'s' if days != 1 else ''} left"


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
    """An ethics approval of the study at a site: from `approved_on` to `valid_until` (None: open-ended)."""

    approved_on: date
    valid_until: date | None


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
        return (
            f"The site has no ethics approval in force on {on.isoformat()} "
            f"(its first approval is dated {first.isoformat()})."
        )
    if current.valid_until is not None and current.valid_until < on:
        return (
            f"The site's ethics approval lapsed after {current.valid_until.isoformat()} "
            "(continuing review not renewed): no enrollment until the renewal is recorded."
        )
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


# --- amendment implementation checklist -------------------------------------------------------

ITEMS = (
    ("ec_submission", "Submitted to the ethics committee"),
    ("authority_submission", "Submitted to the authority"),
    ("ec_approval", "Ethics approval received"),
    ("consent_approval", "New consent version approved at the site"),
    ("reconsent", "Participants re-consented"),
    ("retraining", "Site staff trained on the new version"),
    ("documents", "Essential documents updated"),
    ("schedule", "New visit schedule applied"),
)
ITEM_LABELS = dict(ITEMS)


@dataclass(frozen=True)
class SiteAmendmentFacts:
    """What is known at one site about one amendment; counts of None mean the source is not available."""

    ec_submitted_on: date | None = None
    authority_required: bool = False
    authority_submitted_on: date | None = None
    ec_approved_on: date | None = None
    changes_consent: bool = True
    consent_version_exists: bool = True
    consent_approved_on: date | None = None
    reconsent_pending: int = 0
    training_gaps: int | None = 0
    outstanding_documents: int | None = 0
    changes_schedule: bool = False
    schedule_applied_on: date | None = None


@dataclass(frozen=True)
class ChecklistItem:
    """One item of a site's amendment checklist: its state and a short word on it."""

    item: str
    state: str
    detail: str = ""

    @property
    def label(self) -> str:
        return ITEM_LABELS[self.item]


def _counted(count: int | None, *, none_left: str, some: str) -> tuple[str, str]:
    if count is None:
        return UNKNOWN, "not yet recorded in Trialdesk"
    if count == 0:
        return DONE, none_left
    return PENDING, some.format(n=count)


def amendment_checklist(f: SiteAmendmentFacts) -> list[ChecklistItem]:
    """A site's amendment implementation checklist, derived from the facts.

    Nothing that uses the new version (consent, schedule, re-consent) can be done before the site's
    ethics approval of it: those items are `blocked` until then.
    """
    approved = f.ec_approved_on is not None
    items = [
        ChecklistItem("ec_submission", DONE, _on(f.ec_submitted_on))
        if f.ec_submitted_on or approved
        else ChecklistItem("ec_submission", PENDING),
    ]
    if not f.authority_required:
        items.append(ChecklistItem("authority_submission", NOT_REQUIRED, "not required in this country"))
    elif f.authority_submitted_on:
        items.append(ChecklistItem("authority_submission", DONE, _on(f.authority_submitted_on)))
    else:
        items.append(ChecklistItem("authority_submission", PENDING))
    if approved:
        items.append(ChecklistItem("ec_approval", DONE, _on(f.ec_approved_on)))
    else:
        submitted = f.ec_submitted_on is not None
        items.append(
            ChecklistItem(
                "ec_approval", PENDING if submitted else BLOCKED, "" if submitted else "not submitted"
            )
        )
    items.extend(_consent_items(f, approved))
    items.append(ChecklistItem("retraining", *_counted(f.training_gaps, none_left="", some="{n} to train")))
    items.append(
        ChecklistItem("documents", *_counted(f.outstanding_documents, none_left="", some="{n} outstanding"))
    )
    if not f.changes_schedule:
        items.append(ChecklistItem("schedule", NOT_REQUIRED, "the amendment keeps the schedule"))
    elif f.schedule_applied_on:
        items.append(ChecklistItem("schedule", DONE, _on(f.schedule_applied_on)))
    else:
        items.append(
            ChecklistItem(
                "schedule", PENDING if approved else BLOCKED, "" if approved else "awaiting ethics approval"
            )
        )
    return items


def _consent_items(f: SiteAmendmentFacts, approved: bool) -> list[ChecklistItem]:
    if not f.changes_consent:
        return [
            ChecklistItem("consent_approval", NOT_REQUIRED, "the amendment keeps the consent form"),
            ChecklistItem("reconsent", NOT_REQUIRED, "the amendment keeps the consent form"),
        ]
    if f.consent_approved_on:
        consent = ChecklistItem("consent_approval", DONE, _on(f.consent_approved_on))
    elif not approved:
        consent = ChecklistItem("consent_approval", BLOCKED, "awaiting ethics approval")
    elif not f.consent_version_exists:
        consent = ChecklistItem(
            "consent_approval", PENDING, "no consent version for this protocol version yet"
        )
    else:
        consent = ChecklistItem("consent_approval", PENDING)
    if not f.consent_approved_on:
        reconsent = ChecklistItem("reconsent", BLOCKED, f"{f.reconsent_pending} waiting for the new consent")
    elif f.reconsent_pending:
        reconsent = ChecklistItem("reconsent", PENDING, f"{f.reconsent_pending} to re-consent")
    else:
        reconsent = ChecklistItem("reconsent", DONE)
    return [consent, reconsent]


def _on(day: date | None) -> str:
    return day.isoformat() if day else ""


def checklist_progress(items: Iterable[ChecklistItem]) -> tuple[int, int]:
    """(items done, items that apply) of a checklist."""
    applicable = [i for i in items if i.state != NOT_REQUIRED]
    return sum(1 for i in applicable if i.state == DONE), len(applicable)


# --- site activation checklist ----------------------------------------------------------------


@dataclass(frozen=True)
class ActivationItem:
    """One thing needed before a site is activated, where the rule comes from, and whether it is met."""

    label: str
    citation: str
    state: str
    detail: str = ""


def activation_checklist(
    *,
    country_submissions: Sequence[dict],
    country_name: str,
    ethics_approved_on: date | None,
    authority_approved_on: date | None,
    consent_approved: bool,
    principal_investigator: str,
) -> list[ActivationItem]:
    """What a site needs before activation: the study's own needs, then each submission its country's
    rules ask for (ethics ones met by a recorded ethics approval, authority ones by an authority's
    approval or acknowledgement; sponsor, site and registry steps are checked by hand)."""
    items = [
        ActivationItem(
            "Principal investigator named",
            "ICH E6(R3) 2.1 (investigator qualifications)",
            DONE if principal_investigator.strip() else PENDING,
        ),
        ActivationItem(
            "Consent form approved at the site",
            "ICH E6(R3) 2.8 (informed consent)",
            DONE if consent_approved else PENDING,
        ),
    ]
    if not country_submissions:
        items.append(
            ActivationItem(
                f"No country rules ship for {country_name}", "", TO_CHECK, "check the national requirements"
            )
        )
    for rule in country_submissions:
        recipient = rule.get("recipient")
        if recipient == "ethics":
            met = ethics_approved_on
        elif recipient == "authority":
            met = authority_approved_on
        else:
            items.append(ActivationItem(rule["label"], rule.get("citation", ""), TO_CHECK, "checked by hand"))
            continue
        items.append(
            ActivationItem(rule["label"], rule.get("citation", ""), DONE if met else PENDING, _on(met))
        )
    return items


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
        return UNKNOWN_HEALTH, "no active sites"
    lapsed = [s.site_number for s in standings if s.recorded and not s.in_force]
    expiring = [
        s.site_number
        for s in standings
        if s.recorded and s.in_force and s.days_left is not None and s.days_left <= warning_days
    ]
    unrecorded = [s.site_number for s in standings if not s.recorded]
    reasons = [
        f"{what} at site{'s' if len(sites) != 1 else ''} {', '.join(sites)}"
        for what, sites in (
            ("lapsed", lapsed),
            (f"lapsing within {warning_days} days", expiring),
            ("none recorded", unrecorded),
        )
        if sites
    ]
    if not reasons:
        count = len(standings)
        return GREEN, f"ethics approval in force at {count} active site{'s' if count != 1 else ''}"
    return (RED if lapsed else AMBER), "ethics approval " + "; ".join(reasons)
