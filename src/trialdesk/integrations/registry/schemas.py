"""API schemas of the ClinicalTrials.gov import and the registry check."""

import datetime as dt

from ninja import Field, Schema

from trialdesk.core.apiutils import InSchema


class ImportedStudyOut(Schema):
    nct_number: str
    study_id: int | None
    study_code: str
    created: bool
    updated: bool
    skipped: bool = Field(description="True when the record is older than the one already imported.")
    sites_created: int
    sites_updated: int
    warnings: list[str]
    local_edits: list[str] = Field(description="Values edited in Trialdesk since the last import, kept.")


class ImportOut(Schema):
    studies: list[ImportedStudyOut]


class DifferenceOut(Schema):
    topic: str
    item: str
    registry: str
    trialdesk: str
    site_id: int | None = None


class RegistryDeadlineOut(Schema):
    recipient: str
    rule: str
    description: str
    due_on: dt.date
    status: str = Field(description="open, done or late")
    days_late: int | None


class RegistryFindingOut(Schema):
    """One finding of the registry check: a difference, or a deadline with where it stands."""

    kind: str = Field(description="difference or deadline")
    topic: str | None = Field(None, description="difference: status, enrollment, dates, sites or site status")
    item: str | None = None
    registry: str | None = Field(None, description="difference: what ClinicalTrials.gov says")
    trialdesk: str | None = Field(None, description="difference: what Trialdesk holds")
    site_id: int | None = None
    recipient: str | None = Field(None, description="deadline: ClinicalTrials.gov, EU CTIS or EudraCT")
    rule: str | None = None
    description: str | None = None
    due_on: dt.date | None = None
    status: str | None = Field(None, description="deadline: open, done or late")
    days_late: int | None = None


class RegistryCheckOut(Schema):
    study_id: int
    study_code: str
    nct_number: str
    has_registry_record: bool
    imported_at: dt.datetime | None = None
    last_update_posted_on: dt.date | None = None
    applicable: bool = False
    applicable_clinical_trial: bool | None = Field(
        None, description="As recorded by the CRM (null: read from the registry)."
    )
    delay_certified_on: dt.date | None = None
    eu_end_of_trial_on: dt.date | None = None
    eu_results_submitted_on: dt.date | None = None
    differences: list[DifferenceOut] = []
    deadlines: list[RegistryDeadlineOut] = []


class RegistryFactsIn(InSchema):
    applicable_clinical_trial: bool | None = Field(
        None, description="Whether FDAAA 801 applies (null: read from the registry)."
    )
    delay_certified_on: dt.date | None = Field(
        None, description="When a certification to delay results was submitted."
    )
    eu_end_of_trial_on: dt.date | None = None
    eu_results_submitted_on: dt.date | None = None
    reason: str = Field(description="Why the facts change; kept on the audit trail.")
