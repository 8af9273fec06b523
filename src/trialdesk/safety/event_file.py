"""The documents `trialdesk safety clocks` reads: one event's facts (`--event event.json`) and committee
policies (`--policies policies.json`), as pydantic models that name every bad field by its path.

Beside issue 4's fields an event may carry `information` (later pieces of information, oldest first, each
with `received_at` and any of `seriousness`, `expected`, `related`, `significant`; a key left out keeps its
earlier value) and `submitted` (reports already made: `key` and `at`), and optionally `site_country`,
`protocol_exemption`, `device_deficiency`, `imminent_risk`, `foreign_regulatory_measure` and
`research_report`. A `jurisdictions` entry may be an ISO 3166 country: its jurisdiction's rules apply, or,
for a country without rules, a warning says so.

The models check the shape and each value (the clock engine's own words for what is wrong, from
`safety.rules`) and turn a valid document into the engine's plain values (`reportable.EventFacts`,
`rulebook.CommitteePolicy`). No database: the command runs offline.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    RootModel,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from trialdesk.interop.json_documents import problems_at, validate
from trialdesk.safety.rules import reportable, rulebook

AWARE_HINT = "Give an ISO 8601 date and time with its UTC offset, e.g. 2025-03-01T09:30:00+01:00."


def _aware_moment(value: object) -> dt.datetime:
    """A datetime or an ISO 8601 text, with its UTC offset (a clock cannot start at a local time alone)."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(AWARE_HINT) from None
    if not isinstance(value, dt.datetime) or value.utcoffset() is None:
        raise ValueError(AWARE_HINT)
    return value


def _time_zone(value: object) -> str:
    if problem := reportable.time_zone_problem(value):
        raise ValueError(problem)
    return value


def _jurisdiction(code: str, info: ValidationInfo) -> str:
    if problem := rulebook.jurisdiction_problem(code, (info.context or {}).get("policies", ())):
        raise ValueError(problem)
    return code


AwareMoment = Annotated[dt.datetime, PlainValidator(_aware_moment)]
TimeZone = Annotated[str, PlainValidator(_time_zone)]
Jurisdiction = Annotated[StrictStr, AfterValidator(_jurisdiction)]


def _country(code: str) -> str:
    if code and not rulebook.is_country(code):
        raise ValueError(f"Unknown country {code!r}; give an ISO 3166-1 alpha-2 code such as DE.")
    return code


Country = Annotated[StrictStr, AfterValidator(_country)]


class InformationDocument(BaseModel):
    """A later piece of information about the event, as the sponsor received it."""

    model_config = ConfigDict(extra="forbid")

    received_at: AwareMoment
    seriousness: list[Literal[reportable.SERIOUSNESS]] | None = None
    expected: StrictBool | None = None
    related: StrictBool | None = None
    significant: StrictBool = False

    def information(self) -> reportable.Information:
        return reportable.Information(
            received_at=self.received_at,
            seriousness=None if self.seriousness is None else tuple(self.seriousness),
            expected=self.expected,
            related=self.related,
            significant=self.significant,
        )


class SubmittedDocument(BaseModel):
    """A report already made: the obligation's key (as `trialdesk safety clocks` prints it) and when."""

    model_config = ConfigDict(extra="forbid")

    key: StrictStr = Field(min_length=1)
    at: AwareMoment


class EventDocument(BaseModel):
    """One adverse event's facts, the fields named as the clock engine names them."""

    model_config = ConfigDict(extra="forbid")

    product: Literal[reportable.PRODUCTS]
    jurisdictions: list[Jurisdiction] = []
    serious: StrictBool
    seriousness: list[Literal[reportable.SERIOUSNESS]] = []
    expected: StrictBool
    related: StrictBool
    unanticipated_device_effect: StrictBool = False
    site_aware_at: AwareMoment
    sponsor_aware_at: AwareMoment
    site_timezone: TimeZone
    sponsor_timezone: TimeZone
    site_to_sponsor_hours: StrictInt = Field(24, ge=1, le=720)
    information: list[InformationDocument] = []
    submitted: list[SubmittedDocument] = []
    site_country: Country = ""
    protocol_exemption: StrictStr = ""
    device_deficiency: StrictBool = False
    imminent_risk: StrictBool = False
    foreign_regulatory_measure: StrictBool = False
    research_report: StrictBool = False

    @field_validator("sponsor_aware_at")
    @classmethod
    def _not_before_the_site(cls, moment: dt.datetime, info: ValidationInfo) -> dt.datetime:
        # Checked with the field (not after the model) so it is named even when other fields are bad.
        site_aware_at = info.data.get("site_aware_at")
        if site_aware_at is not None and moment < site_aware_at:
            raise ValueError("The sponsor cannot become aware before the site did.")
        return moment

    @model_validator(mode="after")
    def _consistent(self) -> "EventDocument":
        problems = {}
        if self.serious and not self.seriousness:
            problems[("seriousness",)] = "A serious event names at least one seriousness criterion."
        elif self.seriousness and not self.serious:
            problems[("serious",)] = "An event meeting a seriousness criterion is serious."
        problems.update(self._information_problems())
        if problem := site_to_sponsor_problem(
            hours=self.site_to_sponsor_hours,
            site_country=self.site_country,
            exemption=self.protocol_exemption,
        ):
            problems[("site_to_sponsor_hours",)] = problem
        if problems:
            raise problems_at(problems)
        return self

    def _information_problems(self) -> dict:
        problems, previous = {}, max(self.site_aware_at, self.sponsor_aware_at)
        for index, piece in enumerate(self.information):
            if piece.received_at < previous:
                problems[("information", index, "received_at")] = (
                    "Give the information oldest first, each received after the event became known "
                    "to the site and the sponsor."
                )
            previous = max(previous, piece.received_at)
        for index, report in enumerate(self.submitted):
            if report.at < self.site_aware_at:
                problems[("submitted", index, "at")] = (
                    "A report cannot be made before the site knew of the event."
                )
        return problems

    def _jurisdictions(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The jurisdiction codes, countries resolved to theirs, and the countries without rules."""
        codes, uncovered = [], []
        for code in [*self.jurisdictions, *([self.site_country] if self.site_country else [])]:
            if code in rulebook.JURISDICTIONS or code.startswith(rulebook.IRB_PREFIX):
                codes.append(code)
            elif found := rulebook.jurisdiction_of_country(code):
                codes.append(found)
            else:
                uncovered.append(code)
        return tuple(dict.fromkeys(codes)), tuple(dict.fromkeys(uncovered))

    def facts(self) -> reportable.EventFacts:
        jurisdictions, uncovered = self._jurisdictions()
        return reportable.EventFacts(
            product=self.product,
            jurisdictions=jurisdictions,
            serious=self.serious,
            seriousness=tuple(self.seriousness),
            expected=self.expected,
            related=self.related,
            unanticipated_device_effect=self.unanticipated_device_effect,
            site_aware_at=self.site_aware_at,
            sponsor_aware_at=self.sponsor_aware_at,
            site_timezone=self.site_timezone,
            sponsor_timezone=self.sponsor_timezone,
            site_to_sponsor_hours=self.site_to_sponsor_hours,
            information=tuple(piece.information() for piece in self.information),
            submitted=tuple((report.key, report.at) for report in self.submitted),
            site_country=self.site_country,
            protocol_exemption=self.protocol_exemption.strip(),
            device_deficiency=self.device_deficiency,
            imminent_risk=self.imminent_risk,
            foreign_regulatory_measure=self.foreign_regulatory_measure,
            research_report=self.research_report,
            uncovered_countries=uncovered,
        )


def site_to_sponsor_problem(*, hours: int, site_country: str, exemption: str) -> str | None:
    """More than 24 hours from investigator to sponsor at an EU/EEA or UK site needs a protocol exemption
    for that kind of event (Regulation (EU) No 536/2014 art. 41(2); SI 2004/1031 reg. 32(1), (4))."""
    if hours > 24 and site_country in rulebook.TWENTY_FOUR_HOUR_COUNTRIES and not exemption.strip():
        return (
            f"A site in {site_country} reports serious adverse events to the sponsor within 24 hours "
            "(EU CTR art. 41(2); UK SI 2004/1031 reg. 32) unless the protocol exempts that kind of event: "
            "give the protocol section (protocol_exemption)."
        )
    return None


class PolicyDocument(BaseModel):
    """An ethics committee's or IRB's reporting policy, as a study keeps it in the application."""

    model_config = ConfigDict(extra="forbid")

    name: StrictStr
    committee: StrictStr = Field(min_length=1)
    event_kind: StrictStr
    clock: StrictStr
    length: StrictInt
    holiday_calendar: StrictStr
    citation: StrictStr = ""

    @model_validator(mode="after")
    def _usable(self) -> "PolicyDocument":
        problems = rulebook.committee_policy_problems(
            name=self.name,
            event_kind=self.event_kind,
            clock=self.clock,
            length=self.length,
            holiday_calendar=self.holiday_calendar,
        )
        if problems:
            raise problems_at({(name,): message for name, message in problems.items()})
        return self

    def policy(self) -> rulebook.CommitteePolicy:
        return rulebook.CommitteePolicy(**self.model_dump())


class PolicyFile(RootModel[list[PolicyDocument]]):
    """The `--policies` file: a list of committee policies."""


def parse_event(raw: object, *, policies: Iterable[str] = ()) -> reportable.EventFacts:
    """The facts of an event document; `json_documents.DocumentError` names every bad field (by its
    name, e.g. `jurisdictions[1]`). `policies` are the committee policy names IRB:<name> may use."""
    return validate(EventDocument, raw, root="", context={"policies": tuple(policies)}).facts()


def parse_policies(raw: object) -> dict[str, rulebook.CommitteePolicy]:
    """The committee policies of a policies document by name; DocumentError names every bad field
    (`policies[0].length`)."""
    found = validate(PolicyFile, raw, root="policies").root
    return {document.name: document.policy() for document in found}
