"""The document `trialdesk incidents clocks --incident incident.json` reads: one incident's facts, as a
pydantic model that names every bad field by its path (one line each).

The issue's fields: `kind` ("personal_data_breach" or "serious_breach"), `jurisdictions` (any of "EU",
"UK", "US"), `aware_at` (ISO 8601 with its UTC offset), `sponsor_timezone` (IANA) and
`affected_individuals` (a whole number, 0 or more). Optional: `risk_to_individuals` ("unlikely", "risk"
(default) or "high": GDPR art. 33 and 34), `hipaa_role` ("covered_entity" (default), "business_associate"
or "not_covered"), `residents_by_state` ({"CA": 620, …}: HIPAA's media notice, 164.406) and `submitted`
(notifications already made: `key` and `at`). No database: the command runs offline.
"""

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainValidator, StrictStr

from trialdesk.incidents import rules
from trialdesk.interop.json_documents import validate
from trialdesk.safety.event_file import AwareMoment, TimeZone


def _checked(problem_of):
    def check(value):
        if problem := problem_of(value):
            raise ValueError(problem)
        return value

    return check


Jurisdiction = Annotated[StrictStr, AfterValidator(_checked(rules.jurisdiction_problem))]
Count = Annotated[int, PlainValidator(_checked(rules.affected_problem))]


class SubmittedDocument(BaseModel):
    """A notification already made: the obligation's key (as the command prints it) and when."""

    model_config = ConfigDict(extra="forbid")

    key: StrictStr = Field(min_length=1)
    at: AwareMoment


class IncidentDocument(BaseModel):
    """One incident's facts, named as the clocks name them."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal[rules.KINDS]
    jurisdictions: list[Jurisdiction] = Field(min_length=1)
    aware_at: AwareMoment
    sponsor_timezone: TimeZone
    affected_individuals: Count
    risk_to_individuals: Literal[rules.RISKS] = "risk"
    hipaa_role: Literal[rules.HIPAA_ROLES] = "covered_entity"
    residents_by_state: dict[StrictStr, Count] | None = None
    submitted: list[SubmittedDocument] = []

    def facts(self) -> rules.IncidentFacts:
        return rules.IncidentFacts(
            kind=self.kind,
            jurisdictions=tuple(dict.fromkeys(self.jurisdictions)),
            aware_at=self.aware_at,
            sponsor_timezone=self.sponsor_timezone,
            affected_individuals=self.affected_individuals,
            risk_to_individuals=self.risk_to_individuals,
            hipaa_role=self.hipaa_role,
            residents_by_state=(
                None if self.residents_by_state is None else tuple(sorted(self.residents_by_state.items()))
            ),
            submitted=tuple((report.key, report.at) for report in self.submitted),
        )


def parse_incident(raw) -> rules.IncidentFacts:
    """The facts of a parsed incident document; DocumentError naming every bad field otherwise."""
    return validate(IncidentDocument, raw, root="").facts()
