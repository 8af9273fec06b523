"""Pure rules for site staff: delegable tasks, when training is current, when a delegation is in force,
and which financial disclosures an investigator owes when.

Sources: ICH E6(R3) GCP 2.3 / 3.2 (the investigator supervises and keeps a list of persons to whom
trial-related activities are delegated, who are qualified by training); 21 CFR 54 (financial disclosure
by clinical investigators: collected before participation, updated during the study and for one year
after its completion, 54.4(b)). The grace periods below are Trialdesk's policy, not the regulation's, and
say so (OCCASION_BASIS); which interests are disclosable is in disclosure_law (21 CFR 54.2).
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext, ngettext

from trialdesk.core.extensions import AMBER, GREEN, RED, UNKNOWN
from trialdesk.people import disclosure_law

# Delegation-log task codes and their labels, in the order a paper delegation log lists them.
TASKS: dict[str, str] = {
    "consent": "Obtain informed consent",
    "eligibility": "Assess eligibility",
    "medical_history": "Medical history and physical examination",
    "randomization": "Randomize participants",
    "ae_assessment": "Assess adverse events (causality)",
    "ip_dispensing": "Dispense investigational product",
    "ip_accountability": "Investigational product accountability",
    "sample_handling": "Collect and process samples",
    "crf_entry": "CRF / data entry",
    "query_resolution": "Resolve data queries",
}
TASK_CODES = tuple(TASKS)
# Tasks done in a computer system (EDC, IRT): the person also needs current system training.
SYSTEM_TASKS = frozenset({"crf_entry", "query_resolution", "randomization"})

# The person's role on the study as a delegation log records it ("Role on study").
STUDY_ROLES: dict[str, str] = {
    "principal_investigator": "Principal investigator",
    "sub_investigator": "Sub-investigator",
    "study_coordinator": "Study coordinator",
    "research_nurse": "Research nurse",
    "pharmacist": "Pharmacist",
    "data_manager": "Data manager",
    "other": "Other",
}
# Roles listed on Form FDA 1572 (box 1 and box 6): they owe financial disclosures.
INVESTIGATOR_STUDY_ROLES = frozenset({"principal_investigator", "sub_investigator"})

DELEGATION_MEANING = "delegation approved"


# Tasks -------------------------------------------------------------------------------------------------


def tasks_problem(tasks) -> str | None:
    """Why a list of task codes cannot be delegated, or None."""
    if not isinstance(tasks, list | tuple) or not all(isinstance(t, str) for t in tasks):
        return gettext("Give the delegated tasks as a list of task codes.")
    if not tasks:
        return gettext("Delegate at least one task.")
    unknown = [t for t in tasks if t not in TASKS]
    if unknown:
        return gettext("Unknown task %(task)s; the tasks are: %(tasks)s.") % {
            "task": repr(unknown[0]),
            "tasks": ", ".join(TASK_CODES),
        }
    if len(set(tasks)) != len(tasks):
        return gettext("A task is listed twice.")
    return None


def task_label(code: str) -> str:
    """The task's label in the reader's language (the codes' labels are listed in people/labels.py)."""
    return gettext(TASKS[code]) if code in TASKS else code


# Training ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingFact:
    """One training record as the rules need it."""

    kind: str  # "gcp" | "protocol" | "system"
    completed_on: dt.date
    expires_on: dt.date | None = None
    protocol_version_id: int | None = None


def is_valid_on(fact: TrainingFact, on: dt.date) -> bool:
    """A training counts from its completion day up to and including its expiry day."""
    return fact.completed_on <= on and (fact.expires_on is None or on <= fact.expires_on)


def training_gaps(
    facts: list[TrainingFact],
    *,
    on: dt.date,
    protocol_version_id: int | None,
    protocol_label: str = "",
    needs_system: bool = False,
) -> list[str]:
    """What is missing for the person's training to be current on `on`, in words (empty: current).

    Current means a GCP certificate valid that day, training on the study's current protocol version
    (none needed while the study has no approved version), and, for tasks done in a system, a system
    training valid that day.
    """
    gaps = []
    gcp = [f for f in facts if f.kind == "gcp"]
    if not any(is_valid_on(f, on) for f in gcp):
        past = [f.expires_on for f in gcp if f.expires_on is not None and f.expires_on < on]
        gaps.append(
            gettext("GCP certificate expired on %(day)s") % {"day": max(past).isoformat()}
            if past
            else gettext("no GCP certificate")
        )
    if protocol_version_id is not None and not any(
        f.kind == "protocol" and f.protocol_version_id == protocol_version_id and f.completed_on <= on
        for f in facts
    ):
        version = protocol_label or gettext("current version")
        gaps.append(gettext("not trained on protocol %(version)s") % {"version": version})
    if needs_system and not any(f.kind == "system" and is_valid_on(f, on) for f in facts):
        gaps.append(gettext("no current system training"))
    return gaps


def training_record_problems(
    *, kind: str, completed_on: dt.date | None, expires_on: dt.date | None, has_protocol_version: bool
) -> dict[str, str]:
    """Field problems of a training record (field name -> message)."""
    problems = {}
    if kind == "gcp" and expires_on is None:
        problems["expires_on"] = gettext("A GCP certificate has an expiry date.")
    if completed_on and expires_on and expires_on <= completed_on:
        problems["expires_on"] = gettext("The expiry date must be after the completion date.")
    if kind == "protocol" and not has_protocol_version:
        problems["protocol_version"] = gettext("Say which protocol version the training was on.")
    if kind != "protocol" and has_protocol_version:
        problems["protocol_version"] = gettext("Only a protocol training names a protocol version.")
    return problems


# Delegation --------------------------------------------------------------------------------------------


def delegation_in_force(*, starts_on: dt.date, ends_on: dt.date | None, signed: bool, on: dt.date) -> bool:
    """A delegation counts from its start to its end day inclusive, and only once the PI has signed it."""
    return signed and starts_on <= on and (ends_on is None or on <= ends_on)


def may_perform_task(*, site_keeps_log: bool, may_work_at_site: bool, delegated: bool) -> bool:
    """The transition rule: a site with no delegation log in Trialdesk yet lets all its staff work;
    once it keeps one, only those with a delegation of the task in force on the day may perform it."""
    if not may_work_at_site:
        return False
    return delegated or not site_keeps_log


# Financial disclosure ----------------------------------------------------------------------------------

OCCASIONS: dict[str, str] = {
    "initial": "Before participation",
    "update": "Interests changed",
    "study_close": "At study close",
    "one_year_after": "One year after study close",
}
# Where each disclosure Trialdesk asks for comes from: the law, or Trialdesk's own policy (labelled so in
# the data, the pages and the API). The law: the investigator gives the sponsor the information before
# taking part (21 CFR 312.53(c)(4); 812.43(c)(5) for devices) and updates it while the study runs and for
# one year after its completion (21 CFR 54.4(b)); it sets no day for a "closing" collection.
OCCASION_BASIS: dict[str, tuple[str, str]] = {
    "initial": ("law", "21 CFR 312.53(c)(4); 21 CFR 54.4(b)"),
    "update": ("law", "21 CFR 54.4(b): updated when relevant changes occur"),
    "study_close": ("policy", "Trialdesk policy: collected within 30 days of the study's close"),
    "one_year_after": (
        "policy",
        "Trialdesk policy: collected one year after the close, when the duty to update (21 CFR 54.4(b)) ends",
    ),
}
# Days after the study closes (last participant's last visit) in which the closing disclosure is due:
# Trialdesk's policy, not the regulation's.
CLOSE_GRACE_DAYS = 30
# Days before a due date from which a disclosure shows as "due soon" in the reminders.
REMINDER_DAYS = 30

INTEREST_KINDS: dict[str, str] = {
    "significant_payment": "Significant payments of other sorts (21 CFR 54.2(f))",
    "equity_interest": "Equity interest in the sponsor (54.2(b))",
    "proprietary_interest": "Proprietary interest in the product (54.2(c))",
    "outcome_compensation": "Compensation affected by the outcome (54.2(a))",
    "other": "Other interest",
}
# Non-overlapping bands cut at the thresholds of 54.2(b) and (f) (disclosure_law); the old, overlapping
# bands stay readable on disclosures recorded before, never accepted on a new one.
AMOUNT_BANDS: dict[str, str] = disclosure_law.AMOUNT_BANDS


# Besides the investigator themself and administrators, the study roles that read disclosed interests.
INTEREST_READER_ROLES = frozenset({"crm", "auditor", "sponsor_viewer"})
# What a disclosure's record shows of its interests to everyone else (audit trail included).
INTEREST_FIELDS = ("has_interests", "interests", "note")
NOT_SHOWN = "not shown"


def sees_financial_interests(
    *, own_disclosure: bool, administrator: bool, study_roles: Iterable[str]
) -> bool:
    """Whether a person sees the interests in an investigator's financial disclosure (INTEREST_FIELDS).

    Disclosed interests are personal finances (21 CFR 54): the investigator sees their own; the study's
    CRM, auditors and sponsor viewers (the sponsor reports them to the FDA on forms 3454/3455) and
    administrators see everyone's. Monitors, coordinators, other investigators and safety, finance or
    other roles see only that a disclosure was collected, when and for which occasion.
    """
    return own_disclosure or administrator or not INTEREST_READER_ROLES.isdisjoint(study_roles)


def one_year_after(day: dt.date) -> dt.date:
    """The same calendar day a year later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


@dataclass(frozen=True)
class DisclosureDue:
    """One disclosure an investigator owes: for which occasion, by when, and where it stands."""

    occasion: str
    due_on: dt.date
    status: str  # "done" | "not_yet" | "due" | "overdue"
    days_overdue: int | None = None

    @property
    def occasion_label(self) -> str:
        return OCCASIONS[self.occasion]

    @property
    def basis(self) -> str:
        """ "law" or "policy" (Trialdesk's own, not the regulation's)."""
        return OCCASION_BASIS[self.occasion][0]

    @property
    def citation(self) -> str:
        return OCCASION_BASIS[self.occasion][1]


def disclosures_due(
    *,
    participation_starts_on: dt.date,
    study_closed_on: dt.date | None,
    disclosed: dict[str, dt.date],
    today: dt.date,
) -> list[DisclosureDue]:
    """The disclosures an investigator owes and their state on `today`.

    `disclosed` maps an occasion to the day its disclosure was collected. The initial disclosure is due
    on the day participation starts; the closing one CLOSE_GRACE_DAYS after the study closes; the last one
    year after the close. An update is collected when interests change and is never computed as due.
    """
    due = [("initial", participation_starts_on)]
    if study_closed_on is not None:
        due.append(("study_close", study_closed_on + dt.timedelta(days=CLOSE_GRACE_DAYS)))
        due.append(("one_year_after", one_year_after(study_closed_on)))
    return [_standing(occasion, due_on, disclosed, today, study_closed_on) for occasion, due_on in due]


def _standing(occasion, due_on, disclosed, today, closed_on) -> DisclosureDue:
    collected = disclosed.get(occasion)
    # The closing disclosures describe the state after the close: one collected before it does not count.
    earliest = {"study_close": closed_on, "one_year_after": closed_on and one_year_after(closed_on)}
    if collected is not None and (earliest.get(occasion) is None or collected >= earliest[occasion]):
        return DisclosureDue(occasion, due_on, "done")
    if today > due_on:
        return DisclosureDue(occasion, due_on, "overdue", (today - due_on).days)
    if (due_on - today).days <= REMINDER_DAYS:
        return DisclosureDue(occasion, due_on, "due")
    return DisclosureDue(occasion, due_on, "not_yet")


# Health and "my work": delegated staff's training ----------------------------------------------------------

#: A person's "my work" lists a GCP certificate or system training that expires within this many days.
TRAINING_WARNING_DAYS = 60
#: How many names a health reason lists before "and N more".
NAMES_SHOWN = 3


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:NAMES_SHOWN])
    if len(names) <= NAMES_SHOWN:
        return shown
    return gettext("%(names)s and %(more)s more") % {"names": shown, "more": len(names) - NAMES_SHOWN}


def delegation_health(*, entries: int, untrained: list[str], unsigned: int) -> tuple[str, str]:
    """(colour, why) of a study's delegation logs: red while someone with a delegation in force lacks
    current training (names listed), amber while entries await the investigator's signature, green
    otherwise; unknown while no site keeps its delegation log in Trialdesk (`entries` is 0)."""
    if not entries:
        return UNKNOWN, gettext("no delegation log kept in Trialdesk yet")
    if untrained:
        return RED, gettext("delegated staff without current training: %(names)s") % {
            "names": _names(sorted(untrained))
        }
    if unsigned:
        return AMBER, ngettext(
            "%(count)s delegation awaiting the investigator's signature",
            "%(count)s delegations awaiting the investigator's signature",
            unsigned,
        ) % {"count": unsigned}
    return GREEN, gettext("every delegated person's training is current")


@dataclass(frozen=True)
class TrainingDue:
    """Training a person must renew or complete: what, by when, and whether it is already missing."""

    what: str
    due_on: dt.date
    missing: bool


def training_due(
    facts: list[TrainingFact],
    *,
    on: dt.date,
    protocol_version_id: int | None,
    protocol_label: str = "",
    needs_system: bool = False,
    warning_days: int = TRAINING_WARNING_DAYS,
) -> list[TrainingDue]:
    """What a person must do for their training on a study: each gap today (training_gaps, due today),
    then a GCP certificate or needed system training still valid but expiring within `warning_days`."""
    gaps = training_gaps(
        facts,
        on=on,
        protocol_version_id=protocol_version_id,
        protocol_label=protocol_label,
        needs_system=needs_system,
    )
    due = [TrainingDue(gap, on, True) for gap in gaps]
    horizon = on + dt.timedelta(days=warning_days)
    for kind, expiring, needed in (
        ("gcp", gettext("GCP certificate expires on %(day)s"), True),
        ("system", gettext("system training expires on %(day)s"), needs_system),
    ):
        valid = [f for f in facts if f.kind == kind and is_valid_on(f, on)]
        if not needed or not valid or any(f.expires_on is None for f in valid):
            continue
        last = max(f.expires_on for f in valid)
        if last <= horizon:
            due.append(TrainingDue(expiring % {"day": last.isoformat()}, last, False))
    return due
