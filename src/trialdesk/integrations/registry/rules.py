"""Pure rules for registry work: FDAAA 801 / 42 CFR 11 and EU CTR deadlines, status mappings.

Sources: 42 CFR Part 11 (the FDAAA 801 Final Rule, 81 FR 64982, 2016): 11.24(a) registration no later
than 21 calendar days after the first participant is enrolled; 11.44(a) results no later than one year
after the primary completion date; 11.44(b)/(c) with a certification to delay, no later than two years
after the certification was submitted (it must be submitted before the one-year deadline); 11.64(a)(1)(ii)
overall recruitment status and primary completion date updates within 30 calendar days of the change;
11.64(a)(1)(i) the whole record verified at least once every 12 months. EU Clinical Trials Regulation
536/2014, Article 37(4): the summary of results within one year of the end of the trial in all member
states concerned; trials that ended before the Regulation applied (31 January 2022) report to EudraCT
within the same year under the Commission guideline 2012/C 302/03.

Dates the obligations start from: FDAAA 801 registration applies to trials ongoing on 26 December 2007
(those that started earlier had to be registered by then); results deadlines are computed for primary
completion dates from 18 January 2017, when 42 CFR 11 took effect (earlier results obligations depended
on the product's approval status, which Trialdesk does not know).

Issue 13 corrections: the applicable-clinical-trial test of 42 CFR 11.22(b) is in applicability.py; the
status update is due 30 days after the first change not yet reported (not the last one); a certification
to delay results counts only if submitted before the standard deadline, and then results are due 30 days
after the product's approval (or the new use's) or two years after the certification, whichever is
earlier (11.44(b), (c)); EU paediatric trials report within six months. Each rule's source, date in force
and whether it was read are in sources.SOURCES and travel with every deadline.
"""

import calendar
import datetime as dt
from dataclasses import dataclass, replace

from trialdesk.integrations.registry import sources

CTGOV = "ClinicalTrials.gov"
CTIS = "EU CTIS"
EUDRACT = "EudraCT"
FDAAA_ONGOING_ON = dt.date(2007, 12, 26)
FINAL_RULE_EFFECTIVE_ON = dt.date(2017, 1, 18)
EU_CTR_APPLIES_ON = dt.date(2022, 1, 31)
REGISTRATION_DAYS = 21
STATUS_UPDATE_DAYS = 30

# ISO codes of the EU member states and the EEA countries that apply the Clinical Trials Regulation.
EU_CTR_COUNTRIES = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO".split()
)

# ClinicalTrials.gov overall status → Trialdesk study status. UNKNOWN and the expanded-access
# statuses have no counterpart: the study keeps its status and the import warns.
STUDY_STATUS = {
    "NOT_YET_RECRUITING": "planned",
    "RECRUITING": "recruiting",
    "ENROLLING_BY_INVITATION": "recruiting",
    "ACTIVE_NOT_RECRUITING": "active_not_recruiting",
    "SUSPENDED": "suspended",
    "TERMINATED": "terminated",
    "COMPLETED": "completed",
    "WITHDRAWN": "withdrawn",
}
# Trialdesk study status → the registry status it should be reported as (for the registry check).
REGISTRY_STATUS_OF = {
    "planned": "NOT_YET_RECRUITING",
    "start_up": "NOT_YET_RECRUITING",
    "recruiting": "RECRUITING",
    "active_not_recruiting": "ACTIVE_NOT_RECRUITING",
    "suspended": "SUSPENDED",
    "terminated": "TERMINATED",
    "completed": "COMPLETED",
    "withdrawn": "WITHDRAWN",
}
# ClinicalTrials.gov location (or overall) recruitment status → Trialdesk site status.
SITE_STATUS = {
    "NOT_YET_RECRUITING": "start_up",
    "RECRUITING": "enrolling",
    "ENROLLING_BY_INVITATION": "enrolling",
    "ACTIVE_NOT_RECRUITING": "enrollment_closed",
    "SUSPENDED": "on_hold",
    "TEMPORARILY_NOT_AVAILABLE": "on_hold",
    "COMPLETED": "closed",
    "TERMINATED": "terminated",
    "WITHDRAWN": "terminated",
}
# Site status → the registry's recruitment status for the same situation (for the registry check).
REGISTRY_SITE_STATUS_OF = {
    "identified": "NOT_YET_RECRUITING",
    "under_feasibility": "NOT_YET_RECRUITING",
    "selected": "NOT_YET_RECRUITING",
    "start_up": "NOT_YET_RECRUITING",
    "activated": "NOT_YET_RECRUITING",
    "enrolling": "RECRUITING",
    "enrollment_closed": "ACTIVE_NOT_RECRUITING",
    "closed": "COMPLETED",
    "on_hold": "SUSPENDED",
    "terminated": "TERMINATED",
}
# Registry statuses that mean the same for comparison purposes.
SAME_REGISTRY_STATUS = {"ENROLLING_BY_INVITATION": "RECRUITING", "TEMPORARILY_NOT_AVAILABLE": "SUSPENDED"}

_PHASE_OF = {
    ("EARLY_PHASE1",): "I",
    ("PHASE1",): "I",
    ("PHASE1", "PHASE2"): "I-II",
    ("PHASE2",): "II",
    ("PHASE2", "PHASE3"): "II-III",
    ("PHASE3",): "III",
    ("PHASE4",): "IV",
}


def study_phase(phases: tuple[str, ...], *, study_type: str, has_device: bool) -> tuple[str, str | None]:
    """Trialdesk's phase for the registry's phase list, and a warning when the mapping is a stand-in.

    Observational studies are 'observational'; 'NA' (no drug phase) is 'device' for a device study and
    otherwise 'observational' with a warning, because Trialdesk's phase list has no 'not applicable'.
    """
    if study_type == "OBSERVATIONAL":
        return "observational", None
    found = _PHASE_OF.get(tuple(sorted(p for p in phases if p != "NA")))
    if found:
        return found, None
    if has_device:
        return "device", None
    listed = ", ".join(phases) or "none"
    return "observational", f"phase {listed} has no Trialdesk equivalent; recorded as Observational"


def normal_registry_status(status: str) -> str:
    return SAME_REGISTRY_STATUS.get(status, status)


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole months; the 31st of a shorter month becomes its last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Deadline:
    """One registry obligation: to whom, under which rule, what, by when, and when it was met.

    `unknown` names a fact Trialdesk does not know on which the obligation (or its date) depends; the
    deadline is then the earliest the law could set, shown with that word.
    """

    recipient: str
    rule: str
    description: str
    due_on: dt.date
    done_on: dt.date | None = None
    unknown: str = ""

    @property
    def verified(self) -> bool:
        found = sources.SOURCES.get(self.rule)
        return bool(found and found.verified)

    def standing(self, today: dt.date) -> tuple[str, int | None]:
        """("done"|"open"|"late", days late): done items give how late they were met, if at all."""
        if self.done_on is not None:
            late = (self.done_on - self.due_on).days
            return "done", late if late > 0 else None
        if today > self.due_on:
            return "late", (today - self.due_on).days
        return "open", None


@dataclass(frozen=True)
class RegistryFacts:
    """What the deadline rules need to know about one study, as plain values.

    `applicable` is True, False, or None when the applicable-clinical-trial test lacks a fact (the FDAAA
    deadlines are then given, marked unknown). `status_changed_on` is the first status change not yet
    reported to the registry. `paediatric` None: unknown.
    """

    applicable: bool | None
    registered_on: dt.date | None = None
    first_enrolled_on: dt.date | None = None
    primary_completion_on: dt.date | None = None
    primary_completion_actual: bool = False
    results_submitted_on: dt.date | None = None
    delay_certified_on: dt.date | None = None
    delay_certification: str = ""  # "initial_approval" (11.44(c)), "new_use" (11.44(b)), "" not said
    product_approved_on: dt.date | None = None
    last_update_submitted_on: dt.date | None = None
    status_changed_on: dt.date | None = None
    registry_status_current: bool = True
    completed: bool = False
    has_eu_site: bool = False
    eu_end_of_trial_on: dt.date | None = None
    eu_results_submitted_on: dt.date | None = None
    paediatric: bool | None = False


def registration_due_on(first_enrolled_on: dt.date) -> dt.date:
    """21 days after the first participant was enrolled (trials enrolling before FDAAA 801: 26 Dec 2007)."""
    return max(first_enrolled_on + dt.timedelta(days=REGISTRATION_DAYS), FDAAA_ONGOING_ON)


CERTIFICATION_RULES = {"new_use": "42 CFR 11.44(b)", "initial_approval": "42 CFR 11.44(c)"}
CERTIFIED_RESULTS_DAYS = 30


def results_due_on(
    primary_completion_on: dt.date,
    delay_certified_on: dt.date | None,
    *,
    certification: str = "new_use",
    product_approved_on: dt.date | None = None,
) -> tuple[dt.date, str]:
    """Results deadline and the rule it comes from.

    11.44(a): one year after the primary completion date. With a certification to delay, submitted before
    that date (NLM: "prior to the date of (i.e., the day before)" the standard deadline): 30 calendar days
    after the approval, licensure or clearance of the product (11.44(c), initial approval) or of the new
    use (11.44(b)), but never later than two years after the certification was submitted.
    """
    standard = add_years(primary_completion_on, 1)
    if delay_certified_on is None or delay_certified_on >= standard:
        return standard, "42 CFR 11.44(a)"
    due = add_years(delay_certified_on, 2)
    if product_approved_on is not None:
        due = min(due, product_approved_on + dt.timedelta(days=CERTIFIED_RESULTS_DAYS))
    return due, CERTIFICATION_RULES.get(certification, "42 CFR 11.44(b)")


def first_unreported_change(changes, *, last_update_submitted_on: dt.date | None) -> dt.date | None:
    """The first status change made after the last update submitted to the registry: the 30 days of
    11.64(a)(1)(ii) run from it, not from the latest change."""
    unreported = [
        day for day in changes if last_update_submitted_on is None or day > last_update_submitted_on
    ]
    return min(unreported, default=None)


def registry_deadlines(facts: RegistryFacts) -> list[Deadline]:
    """Every FDAAA 801 and EU CTR obligation that the facts give a date for, earliest first."""
    found: list[Deadline] = []
    if facts.applicable is not False:
        unknown = "" if facts.applicable else "whether it is an applicable clinical trial"
        found.extend(replace(d, unknown=unknown) for d in _fdaaa_deadlines(facts))
    if facts.has_eu_site and facts.eu_end_of_trial_on is not None:
        found.append(eu_results_deadline(facts))
    return sorted(found, key=lambda d: d.due_on)


EU_PAEDIATRIC_MONTHS = 6


def eu_results_deadline(facts: RegistryFacts) -> Deadline:
    """The EU summary of results: 12 months after the end of the trial (Art. 37(4)), six months for a
    paediatric trial (Regulation (EC) No 1901/2006 Art. 46(1); guideline 2012/C 302/03). Whether the trial
    is paediatric unknown: the six months are shown, saying so."""
    end = facts.eu_end_of_trial_on
    under_ctr = end >= EU_CTR_APPLIES_ON
    recipient = CTIS if under_ctr else EUDRACT
    if facts.paediatric is False:
        return Deadline(
            recipient,
            "EU CTR 536/2014 Art. 37(4)" if under_ctr else "Commission guideline 2012/C 302/03",
            "Summary of results due 12 months after the end of the trial",
            add_years(end, 1),
            facts.eu_results_submitted_on,
        )
    return Deadline(
        recipient,
        "Regulation (EC) No 1901/2006 Art. 46(1)",
        "Summary of results of a paediatric trial due 6 months after the end of the trial"
        + ("" if facts.paediatric else " (12 months if the trial is not paediatric)"),
        add_months(end, EU_PAEDIATRIC_MONTHS),
        facts.eu_results_submitted_on,
        "" if facts.paediatric else "whether the trial is paediatric",
    )


def _fdaaa_deadlines(facts: RegistryFacts) -> list[Deadline]:
    found = []
    ended_before_fdaaa = (
        facts.primary_completion_on is not None and facts.primary_completion_on < FDAAA_ONGOING_ON
    )
    if facts.first_enrolled_on is not None and not ended_before_fdaaa:
        found.append(
            Deadline(
                CTGOV,
                "42 CFR 11.24(a)",
                "Registration due 21 days after the first participant was enrolled",
                registration_due_on(facts.first_enrolled_on),
                facts.registered_on,
            )
        )
    if (
        facts.primary_completion_on is not None
        and facts.primary_completion_actual
        and facts.primary_completion_on >= FINAL_RULE_EFFECTIVE_ON
    ):
        due, rule = results_due_on(
            facts.primary_completion_on,
            facts.delay_certified_on,
            certification=facts.delay_certification,
            product_approved_on=facts.product_approved_on,
        )
        certified = " (certification to delay recorded)" if rule != "42 CFR 11.44(a)" else ""
        found.append(
            Deadline(
                CTGOV,
                rule,
                f"Results due after primary completion{certified}",
                due,
                facts.results_submitted_on,
            )
        )
    if facts.status_changed_on is not None and not facts.registry_status_current:
        found.append(
            Deadline(
                CTGOV,
                "42 CFR 11.64(a)(1)(ii)",
                "Recruitment status update due 30 days after the first change not yet reported",
                facts.status_changed_on + dt.timedelta(days=STATUS_UPDATE_DAYS),
            )
        )
    if facts.last_update_submitted_on is not None and not facts.completed:
        found.append(
            Deadline(
                CTGOV,
                "42 CFR 11.64(a)(1)(i)",
                "Record verification due 12 months after the last update",
                add_years(facts.last_update_submitted_on, 1),
            )
        )
    return found
