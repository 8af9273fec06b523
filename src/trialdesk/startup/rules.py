"""Pure rules of start-up and close-out: the standard checklist items (cited), what a site's checklist
adds up to, when a gate refuses, the study's end-of-trial and results deadlines, and cycle times."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import median

from django.utils.translation import gettext

from trialdesk.regulatory.rules.oversight import add_months

ACTIVATION = "activation"
CLOSURE = "closure"
GATE_LABELS = {ACTIVATION: "Activation", CLOSURE: "Close-out"}
# An override may cover both gates at once (a study whose sites' start-up and close-out are kept elsewhere).
BOTH = "both"
OVERRIDE_GATE_LABELS = {**GATE_LABELS, BOTH: "Activation and close-out"}
# The site status each gate guards (sites.rules.LIFECYCLE).
GATED_STATUS = {"activated": ACTIVATION, "closed": CLOSURE}

DONE = "done"
PENDING = "pending"
NOT_REQUIRED = "not_required"

# Where an item's record lives; "" = nothing in Trialdesk records it, so it is ticked by hand.
BY_HAND = ""


@dataclass(frozen=True)
class ItemDefinition:
    """A standard checklist item: what it is, where the need comes from, and the app whose record does it."""

    key: str
    label: str
    citation: str
    source: str = BY_HAND


ACTIVATION_ITEMS = (
    ItemDefinition(
        "confidentiality_agreement",
        "Confidentiality agreement signed",
        "Sponsor practice: before the protocol is disclosed to the site",
        "feasibility",
    ),
    ItemDefinition(
        "contract_budget",
        "Clinical trial agreement and site budget executed",
        "ICH E6(R2) 8.2.4, 8.2.6 (financial aspects; signed agreement)",
        "finance",
    ),
    ItemDefinition(
        "essential_documents",
        "Essential documents on file",
        "ICH E6(R2) 8.2 (before the clinical phase commences)",
        "documents",
    ),
    ItemDefinition(
        "staff_trained",
        "Investigator and staff trained on the current protocol",
        "ICH E6(R2) 4.2.4 (staff informed about the protocol)",
        "people",
    ),
    ItemDefinition(
        "delegation_log",
        "Delegation log signed by the investigator",
        "ICH E6(R2) 4.1.5 (list of persons to whom duties are delegated)",
        "people",
    ),
    ItemDefinition(
        "initiation_visit",
        "Site initiation visit done (report approved)",
        "ICH E6(R2) 8.2.20 (trial initiation monitoring report)",
        "monitoring",
    ),
    ItemDefinition(
        "ip_received",
        "Investigational product and supplies received",
        "ICH E6(R2) 8.2.15 (shipping records for investigational product)",
        "supply",
    ),
)
CLOSURE_ITEMS = (
    ItemDefinition(
        "last_visit",
        "Last participant's last visit done",
        "Protocol: end of the site's participation",
        "visits",
    ),
    ItemDefinition(
        "actions_closed",
        "Action items and issues closed",
        "ICH E6(R2) 5.18.6 (monitoring follow-up)",
        "monitoring",
    ),
    ItemDefinition(
        "ip_reconciled",
        "Investigational product reconciled, returned or destroyed",
        "ICH E6(R2) 4.6.3, 8.4.1 (accountability at the site)",
        "supply",
    ),
    ItemDefinition(
        "samples_shipped", "Samples shipped to the laboratories", "Protocol: sample handling", "samples"
    ),
    ItemDefinition("final_payments", "Final payments made", "Clinical trial agreement", "finance"),
    ItemDefinition(
        "documents_reconciled",
        "Essential documents reconciled (eTMF)",
        "ICH E6(R2) 8.4 (after completion or termination)",
        "documents",
    ),
    ItemDefinition(
        "closeout_visit",
        "Close-out visit done (report approved)",
        "ICH E6(R2) 8.4 (final close-out monitoring report)",
        "monitoring",
    ),
    ItemDefinition(
        "ethics_notified",
        "Ethics committee notified of the end at the site",
        "ICH E6(R2) 4.13; Regulation (EU) No 536/2014 Art. 37",
        "regulatory",
    ),
    ItemDefinition(
        "archived",
        "Essential documents archived, with the retention period",
        "ICH E6(R2) 4.9.5; Regulation (EU) No 536/2014 Art. 58 (25 years)",
    ),
)
STANDARD_ITEMS = {ACTIVATION: ACTIVATION_ITEMS, CLOSURE: CLOSURE_ITEMS}
# Archiving needs a retention end; EU CTR Art. 58 keeps the master file at least 25 years after the end.
RETENTION_YEARS_EU = 25
ARCHIVING = "archived"


@dataclass(frozen=True)
class TrackerItem:
    """One item of a site's checklist as it stands: done (with its record's link, or who ticked it),
    pending (with what is missing), or not required."""

    key: str
    label: str
    state: str
    citation: str = ""
    detail: str = ""
    url: str = ""
    done_on: date | None = None
    tickable: bool = False
    ticked_by: str = ""
    evidence: str = ""
    source: str = BY_HAND

    @property
    def pending(self) -> bool:
        return self.state == PENDING


@dataclass(frozen=True)
class Tracker:
    """A site's checklist for one gate, and any signed override of it."""

    gate: str
    items: tuple[TrackerItem, ...]
    override: object = None

    @property
    def pending(self) -> list[TrackerItem]:
        return [item for item in self.items if item.pending]

    @property
    def done_count(self) -> int:
        return sum(item.state == DONE for item in self.items)

    @property
    def required_count(self) -> int:
        return sum(item.state != NOT_REQUIRED for item in self.items)

    @property
    def passes(self) -> bool:
        return not self.pending or self.override is not None


def gate_refusal(tracker: Tracker) -> str | None:
    """Why a site may not pass its gate, naming every pending item; None when it may."""
    if tracker.passes:
        return None
    names = "; ".join(item.label for item in tracker.pending)
    # Two whole sentences, not a verb pasted into one: a translation needs the sentence.
    if tracker.gate == ACTIVATION:
        text = gettext(
            "The site cannot be activated: %(pending)s required item(s) pending — %(names)s. "
            "Complete them, or the CRM signs an override with a reason."
        )
    else:
        text = gettext(
            "The site cannot be closed: %(pending)s required item(s) pending — %(names)s. "
            "Complete them, or the CRM signs an override with a reason."
        )
    return text % {"pending": len(tracker.pending), "names": names}


def gate_for(current: str, target: str) -> str | None:
    """The gate a move from `current` to `target` passes (None: not gated). Resuming from on hold into
    a status the site already held is not a new activation or closure."""
    if current == "on_hold":
        return None
    return GATED_STATUS.get(target)


def tick_problems(
    *,
    item: TrackerItem | None,
    done_on: date | None,
    done_by: str,
    evidence: str,
    today: date,
    retain_until: date | None = None,
) -> dict[str, str]:
    """What is wrong with ticking an item by hand, by field (empty when nothing)."""
    if item is None:
        return {"item": "No such item on this site's checklist."}
    if not item.tickable:
        return {"item": f"'{item.label}' is done by its record in Trialdesk ({item.source}), not by hand."}
    problems = {}
    if done_on is None:
        problems["done_on"] = "Give the day it was done."
    elif done_on > today:
        problems["done_on"] = "The day it was done cannot be in the future."
    if not (done_by or "").strip():
        problems["done_by"] = "Name the person who did it."
    if not (evidence or "").strip():
        problems["evidence"] = "Say where the evidence is (document, reference or location)."
    if item.key == ARCHIVING:
        if retain_until is None:
            problems["retain_until"] = "Give the end of the retention period."
        elif done_on and retain_until <= done_on:
            problems["retain_until"] = "The retention period must end after the day of archiving."
    return problems


# --- study close-out: end-of-trial notifications and results deadlines -------------------------


@dataclass(frozen=True)
class DeadlineRule:
    """A legal deadline counted from an event of the study: its end of trial (last participant's last
    visit, or the date of an early termination), a temporary halt, an early termination, its primary
    completion. `per_country`: one notification to each member state concerned."""

    key: str
    what: str
    jurisdiction: str
    counted_from: str  # one of EVENTS
    days: int = 0
    months: int = 0
    citation: str = ""
    countries: tuple[str, ...] = ()  # empty: wherever the study has a site in `jurisdiction`
    recipient: str = ""
    per_country: bool = False


END_OF_TRIAL, TEMPORARY_HALT, EARLY_TERMINATION, PRIMARY_COMPLETION = (
    "end_of_trial",
    "temporary_halt",
    "early_termination",
    "primary_completion",
)
EVENTS = (END_OF_TRIAL, TEMPORARY_HALT, EARLY_TERMINATION, PRIMARY_COMPLETION)
EVENT_LABELS = {
    END_OF_TRIAL: "End of trial",
    TEMPORARY_HALT: "Temporary halt",
    EARLY_TERMINATION: "Early termination",
    PRIMARY_COMPLETION: "Primary completion",
}
EU_MEMBER_STATES = (
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO"
).split()
CTR = "Regulation (EU) No 536/2014"
CLOSEOUT_DEADLINES = (
    DeadlineRule(
        "eu_end_of_trial",
        "End of trial notified to each member state concerned (CTIS)",
        "EU",
        END_OF_TRIAL,
        days=15,
        citation=f"{CTR}, Art. 37(1): within 15 days of the end of the trial in that member state",
        countries=tuple(EU_MEMBER_STATES),
        recipient="Member state {country} (CTIS)",
        per_country=True,
    ),
    DeadlineRule(
        "eu_end_of_trial_all",
        "End of trial in all member states (and third countries) notified (CTIS)",
        "EU",
        END_OF_TRIAL,
        days=15,
        citation=f"{CTR}, Art. 37(2) and 37(3): within 15 days of the end of the trial in the last country",
        countries=tuple(EU_MEMBER_STATES),
        recipient="Member states concerned (CTIS)",
    ),
    DeadlineRule(
        "eu_temporary_halt",
        "Temporary halt notified with its reasons (CTIS)",
        "EU",
        TEMPORARY_HALT,
        days=15,
        citation=f"{CTR}, Art. 37 (halt not for benefit-risk reasons) and Art. 38(1) (for benefit-risk "
        "reasons, without undue delay): within 15 days of the halt, with the reasons",
        countries=tuple(EU_MEMBER_STATES),
        recipient="Member states concerned (CTIS)",
    ),
    DeadlineRule(
        "eu_early_termination",
        "Early termination notified with its reasons and follow-up of participants (CTIS)",
        "EU",
        EARLY_TERMINATION,
        days=15,
        citation=f"{CTR}, Art. 37 (the date of early termination is the end of the trial) and Art. 38(1): "
        "within 15 days, with the reasons",
        countries=tuple(EU_MEMBER_STATES),
        recipient="Member states concerned (CTIS)",
    ),
    DeadlineRule(
        "eu_results",
        "Summary of results submitted to the EU database (CTIS)",
        "EU",
        END_OF_TRIAL,
        months=12,
        citation=f"{CTR}, Art. 37(4): within one year of the end of the trial in all member states",
        countries=tuple(EU_MEMBER_STATES),
        recipient="EU database (CTIS)",
    ),
    DeadlineRule(
        "us_results",
        "Results submitted to ClinicalTrials.gov",
        "US",
        PRIMARY_COMPLETION,
        months=12,
        citation="FDAAA 801, 42 U.S.C. 282(j)(3)(E)(i); 42 CFR 11.44(a): one year after primary completion",
        countries=("US",),
        recipient="ClinicalTrials.gov",
    ),
)


@dataclass(frozen=True)
class Deadline:
    rule: DeadlineRule
    due_on: date | None  # None: the event it counts from has not happened yet

    def overdue(self, today: date) -> bool:
        return self.due_on is not None and today > self.due_on


def closeout_deadlines(
    *,
    countries: Iterable[str],
    end_of_trial: date | None,
    primary_completion: date | None,
    temporary_halt: date | None = None,
    early_termination: date | None = None,
) -> list[Deadline]:
    """The study's end-of-trial and results deadlines for the countries it has sites in (a halt and an
    early termination only once they happened; an early termination is also the end of the trial)."""
    present = {c.upper() for c in countries}
    events = event_days(end_of_trial, primary_completion, temporary_halt, early_termination)
    found = []
    for rule in CLOSEOUT_DEADLINES:
        if rule.countries and not present & set(rule.countries):
            continue
        if rule.counted_from in (TEMPORARY_HALT, EARLY_TERMINATION) and events[rule.counted_from] is None:
            continue
        found.append(Deadline(rule, due_after(events[rule.counted_from], rule)))
    return found


def due_after(start: date | None, rule: DeadlineRule) -> date | None:
    """The last day of the rule's period counted from `start` (None when it has not happened).

    >>> due_after(date(2026, 3, 1), CLOSEOUT_DEADLINES[0]), due_after(date(2026, 3, 1), CLOSEOUT_DEADLINES[4])
    (datetime.date(2026, 3, 16), datetime.date(2027, 3, 1))
    """
    if start is None:
        return None
    return add_months(start, rule.months) + timedelta(days=rule.days)


@dataclass(frozen=True)
class WantedObligation:
    """A reporting obligation the study's close-out requires: its key (the rule's, with the country for a
    per-country rule and the day of a halt, so that a second halt is a second obligation)."""

    key: str
    rule: DeadlineRule
    recipient: str
    starts_on: date
    due_on: date
    basis: str = ""  # what the day counted from is, where a per-country rule could count from two


def closeout_obligations(
    *,
    countries: Iterable[str],
    end_of_trial: date | None,
    primary_completion: date | None,
    temporary_halt: date | None = None,
    early_termination: date | None = None,
    country_ends: Mapping[str, date] | None = None,
) -> list[WantedObligation]:
    """The obligations whose event has happened: one per rule, or per member state for a per-country
    rule; a halt's key carries its day. A per-country end-of-trial rule (Art. 37(1)) counts from the end
    of the trial in that country (`country_ends`: the last visit of the last participant at its sites)
    where it is known, else from the study's end, and says which in its basis.

    >>> [w.key for w in closeout_obligations(countries=["DE", "FR", "US"], end_of_trial=date(2026, 3, 1),
    ...                                      primary_completion=None)]
    ['eu_end_of_trial/DE', 'eu_end_of_trial/FR', 'eu_end_of_trial_all', 'eu_results', 'us_results']
    """
    present = sorted({c.upper() for c in countries})
    events = event_days(end_of_trial, primary_completion, temporary_halt, early_termination)
    wanted = []
    deadlines = closeout_deadlines(
        countries=present, end_of_trial=end_of_trial, primary_completion=primary_completion,
        temporary_halt=temporary_halt, early_termination=early_termination,
    )  # fmt: skip
    for deadline in deadlines:
        rule = deadline.rule
        if deadline.due_on is None:
            continue
        start = events[rule.counted_from]
        if rule.per_country:
            for country in (c for c in present if c in rule.countries):
                key = f"{rule.key}/{country}"
                recipient = rule.recipient.format(country=country)
                if rule.counted_from == END_OF_TRIAL:
                    day, basis = country_end(country, start, country_ends or {})
                    wanted.append(WantedObligation(key, rule, recipient, day, due_after(day, rule), basis))
                else:
                    wanted.append(WantedObligation(key, rule, recipient, start, deadline.due_on))
        else:
            key = f"{rule.key}/{start.isoformat()}" if rule.counted_from == TEMPORARY_HALT else rule.key
            wanted.append(WantedObligation(key, rule, rule.recipient, start, deadline.due_on))
    return wanted


def country_end(country: str, end_of_trial: date, country_ends: Mapping[str, date]) -> tuple[date, str]:
    """The day the end of the trial in `country` counts from, and the basis said on the obligation: the
    country's own end where known (never after the study's), else the study-level end.

    >>> country_end("DE", date(2026, 3, 1), {"DE": date(2026, 1, 20)})
    (datetime.date(2026, 1, 20), 'end of the trial in DE: last visit of the last participant at its sites')
    >>> country_end("FR", date(2026, 3, 1), {})[1]
    'study-level end of trial (the end in FR is not known from its sites)'
    """
    own = country_ends.get(country)
    if own is not None and own <= end_of_trial:
        return own, f"end of the trial in {country}: last visit of the last participant at its sites"
    return end_of_trial, f"study-level end of trial (the end in {country} is not known from its sites)"


def event_days(end_of_trial, primary_completion, temporary_halt, early_termination) -> dict[str, date | None]:
    """The day each close-out event happened: an early termination is the end of the trial (Art. 37),
    and primary completion is the end of the trial unless recorded on its own."""
    end = end_of_trial or early_termination
    return {
        END_OF_TRIAL: end,
        PRIMARY_COMPLETION: primary_completion or end,
        TEMPORARY_HALT: temporary_halt,
        EARLY_TERMINATION: early_termination,
    }


# --- cycle times -------------------------------------------------------------------------------

# The start-up milestones of a site, in order; each interval runs from one to the next.
STAGES = ("selected", "contract", "ethics", "activated", "first_participant")
STAGE_LABELS = {
    "selected": "Selection",
    "contract": "Contract",
    "ethics": "Ethics approval",
    "activated": "Activation",
    "first_participant": "First participant",
}
INTERVALS = tuple(zip(STAGES, STAGES[1:], strict=False))
INTERVAL_LABELS = {f"{a}_to_{b}": f"{STAGE_LABELS[a]} → {STAGE_LABELS[b]}" for a, b in INTERVALS}
INTERVAL_LABELS["selected_to_activated"] = "Selection → Activation"
INTERVAL_LABELS["selected_to_first_participant"] = "Selection → First participant"


def interval_days(dates: dict[str, date | None]) -> dict[str, int | None]:
    """Days of each interval between the stages reached (None where either end is missing)."""
    found = {}
    for key in INTERVAL_LABELS:
        start, _, end = key.partition("_to_")
        a, b = dates.get(start), dates.get(end)
        found[key] = (b - a).days if a and b else None
    return found


@dataclass(frozen=True)
class IntervalSummary:
    interval: str
    count: int
    median_days: float | None
    target_days: int | None = None
    history_median_days: float | None = None

    @property
    def label(self) -> str:
        return INTERVAL_LABELS[self.interval]

    @property
    def on_target(self) -> bool | None:
        if self.median_days is None or self.target_days is None:
            return None
        return self.median_days <= self.target_days


def summarise(
    per_site: Sequence[dict[str, int | None]],
    *,
    targets: dict[str, int] | None = None,
    history: dict[str, float | None] | None = None,
) -> list[IntervalSummary]:
    """Median days of each interval over sites (ignoring those not reached), against targets and history."""
    targets, history = targets or {}, history or {}
    found = []
    for key in INTERVAL_LABELS:
        values = [days[key] for days in per_site if days.get(key) is not None]
        found.append(
            IntervalSummary(
                key, len(values), median(values) if values else None, targets.get(key), history.get(key)
            )
        )
    return found


@dataclass
class SiteCycle:
    """One site's start-up dates and intervals."""

    study_site_id: int
    label: str
    country: str
    dates: dict[str, date | None] = field(default_factory=dict)

    @property
    def days(self) -> dict[str, int | None]:
        return interval_days(self.dates)
