"""Continuing review as each jurisdiction's law has it: whether an ethics approval lapses and when, the
periodic reports that are not an expiry, and the US Common Rule's decisions that none is needed.

Sources (each shipped rule also carries its own citation and whether it was read, countries/*.json):
- 21 CFR 56.109(f): FDA-regulated research is reviewed "at intervals appropriate to the degree of risk,
  but not less than once per year"; OHRP's 2010 guidance: the approval runs to one year minus one day.
- 45 CFR 46.109(f)(1) (the 2018 Requirements, in force 21 January 2019): "Unless an IRB determines
  otherwise, continuing review of research is not required" for (i) research eligible for expedited
  review, (ii) research under limited IRB review, (iii) research that has progressed to data analysis or
  accessing follow-up clinical data only. It never covers FDA-regulated research (21 CFR 56.109(f)).
- UK: a REC favourable opinion does not lapse; the HRA removed annual progress reports from 1 June 2024
  (England and Wales) and 1 August 2024 (Scotland and Northern Ireland).
- Brazil: the CEP's six-monthly partial report (CNS Resolution 466/2012, Norma Operacional 001/2013) is a
  report, not an expiry.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from trialdesk.regulatory.rules.oversight import (
    APPROVAL_KINDS,
    APPROVING_OUTCOMES,
    add_months,
    continuing_review_due_on,
)

#: The 2018 Requirements of the Common Rule (45 CFR 46.109(f)) apply to decisions from this day.
COMMON_RULE_2018_FROM = date(2019, 1, 21)
#: FDA-regulated research: continuing review "not less than once per year" (21 CFR 56.109(f)).
FDA_MAX_MONTHS = 12

FDA = "fda"
COMMON_RULE = "common_rule"
REGULATED_BY = {
    "": "Not stated",
    FDA: "FDA-regulated (21 CFR 56)",
    COMMON_RULE: "Common Rule only, not FDA-regulated (45 CFR 46)",
}
# The IRB's determination that continuing review is not required, with its paragraph of 45 CFR 46.109(f).
EXEMPTIONS = {
    "expedited": ("eligible for expedited review", "45 CFR 46.109(f)(1)(i)"),
    "limited_review": ("limited IRB review", "45 CFR 46.109(f)(1)(ii)"),
    "data_analysis": (
        "only data analysis or follow-up clinical data remain",
        "45 CFR 46.109(f)(1)(iii)",
    ),
}
EXEMPTION_CHOICES = {
    "": "None: continuing review as the committee and the law require",
    **{key: f"Not required: {label} ({citation})" for key, (label, citation) in EXEMPTIONS.items()},
}


# --- the law, as data ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewLaw:
    """A jurisdiction's continuing-review rule for a period: the longest an ethics approval runs before it
    must be renewed (`months`), or None where it does not lapse."""

    months: int | None
    what: str
    citation: str
    verified: bool
    source: str = ""
    in_force_from: date | None = None
    in_force_until: date | None = None


@dataclass(frozen=True)
class ReportLaw:
    """A periodic report owed to the committee that is not an expiry: missing it blocks nothing."""

    months: int
    what: str
    citation: str
    verified: bool
    source: str = ""
    in_force_from: date | None = None
    in_force_until: date | None = None


def in_force_on(rules: Iterable, on: date):
    """The first of `rules` in force on `on` (each has in_force_from / in_force_until, None: open)."""
    for rule in rules:
        if (rule.in_force_from is None or rule.in_force_from <= on) and (
            rule.in_force_until is None or on <= rule.in_force_until
        ):
            return rule
    return None


# --- how long an approval runs --------------------------------------------------------------------


@dataclass(frozen=True)
class ApprovalTerm:
    """The last day an approval runs (None: it does not lapse), why, and whether the source was read."""

    valid_until: date | None
    basis: str
    citation: str = ""
    verified: bool = True


def approval_term(
    *,
    approved_on: date,
    expires_on: date | None,
    committee_months: int | None,
    law: ReviewLaw | None,
    exemption: str = "",
) -> ApprovalTerm:
    """How long an ethics approval runs.

    The expiry the committee stated wins. An IRB's determination under 45 CFR 46.109(f) means no
    continuing review. Where the law says an approval does not lapse (UK, EU, Brazil) the committee's
    period is not an expiry. Where the law sets a longest period (US: one year) the committee's shorter
    period counts, never a longer one. Without shipped law, the committee's own period.
    """
    if expires_on is not None:
        return ApprovalTerm(expires_on, "expiry stated in the committee's decision")
    if exemption in EXEMPTIONS:
        label, citation = EXEMPTIONS[exemption]
        return ApprovalTerm(None, f"continuing review not required: {label}", citation, True)
    if law is None:
        due = continuing_review_due_on(approved_on=approved_on, period_months=committee_months)
        basis = f"the committee's {committee_months}-month period" if due else "no periodic review"
        return ApprovalTerm(due, basis, "no rules ship for this country", False)
    if law.months is None:
        return ApprovalTerm(None, law.what, law.citation, law.verified)
    months = min(committee_months or law.months, law.months)
    due = continuing_review_due_on(approved_on=approved_on, period_months=months)
    return ApprovalTerm(due, f"continuing review every {months} months", law.citation, law.verified)


def next_report_due(*, approved_on: date, law: ReportLaw | None, today: date) -> date | None:
    """The next periodic report owed after `approved_on` (one every `months`), on or after `today`; None
    when no such report is owed today."""
    if law is None or in_force_on([law], today) is None:
        return None
    step = 1
    while (due := add_months(approved_on, step * law.months)) < today:
        step += 1
    return due


# --- the committee's decision ---------------------------------------------------------------------


def decision_review_problems(
    *,
    kind: str,
    to_committee: bool,
    outcome: str,
    decided_on: date | None,
    expires_on: date | None,
    regulated_by: str,
    exemption: str,
) -> Iterator[tuple[str, str]]:
    """Each (field, problem) of a decision's continuing-review facts; nothing when they may be saved."""
    if regulated_by == FDA and expires_on is not None and decided_on is not None:
        latest = continuing_review_due_on(approved_on=decided_on, period_months=FDA_MAX_MONTHS)
        if expires_on > latest:
            yield (
                "expires_on",
                "FDA-regulated research is reviewed at least once a year (21 CFR 56.109(f)): the approval "
                f"runs to {latest.isoformat()} at the latest.",
            )
    if not exemption:
        return
    field = "continuing_review_exemption"
    if not to_committee or kind not in APPROVAL_KINDS or (outcome and outcome not in APPROVING_OUTCOMES):
        yield field, "Only an IRB's approval (initial or continuing review) can waive continuing review."
    elif regulated_by == FDA:
        yield (
            field,
            "FDA-regulated research keeps continuing review at least once a year (21 CFR 56.109(f)): "
            "45 CFR 46.109(f) does not apply to it.",
        )
    elif regulated_by != COMMON_RULE:
        yield (
            "regulated_by",
            "Say that the research is under the Common Rule only: 45 CFR 46.109(f) is not for "
            "FDA-regulated research.",
        )
    elif decided_on is not None and decided_on < COMMON_RULE_2018_FROM:
        yield (
            field,
            "45 CFR 46.109(f) (2018 Requirements) applies to decisions from "
            f"{COMMON_RULE_2018_FROM.isoformat()}.",
        )
    elif expires_on is not None:
        yield "expires_on", "This decision waives continuing review: it has no expiry date."


def exemption_citation(exemption: str) -> str:
    return EXEMPTIONS[exemption][1] if exemption in EXEMPTIONS else ""


def report_countdown(due_on: date | None, today: date) -> str:
    """The next periodic report as the Regulatory tab shows it (never an expiry)."""
    if due_on is None:
        return ""
    days = (due_on - today).days
    return f"report due {due_on.isoformat()} ({days} day{'s' if days != 1 else ''})"


def laws_from(entries: Sequence[dict], kind) -> tuple:
    """Shipped rule entries (countries/*.json) as ReviewLaw / ReportLaw values."""
    found = []
    for entry in entries:
        values = {name: entry.get(name) for name in kind.__dataclass_fields__}
        for name in ("in_force_from", "in_force_until"):
            values[name] = date.fromisoformat(values[name]) if values[name] else None
        values["source"] = values["source"] or ""
        found.append(kind(**values))
    return tuple(found)
