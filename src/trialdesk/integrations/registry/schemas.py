"""API schemas of the ClinicalTrials.gov import and the registry check."""

import datetime as dt
from typing import Literal

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
    unknown: str = Field("", description="A fact not known on which the deadline depends; empty: none.")
    verified: bool = Field(True, description="False: the rule's source was not read when it was written.")


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
    unknown: str | None = Field(None, description="deadline: a fact not known on which it depends")
    verified: bool | None = Field(None, description="deadline: False when its rule's source was not read")


class RegistryCheckOut(Schema):
    study_id: int
    study_code: str
    nct_number: str
    has_registry_record: bool
    imported_at: dt.datetime | None = None
    last_update_posted_on: dt.date | None = None
    applicable: bool = False
    applicability: str = Field("unknown", description="42 CFR 11.22(b): yes, no or unknown.")
    applicability_why: str = ""
    applicability_missing: list[str] = Field([], description="Facts to record for an answer.")
    applicable_clinical_trial: bool | None = Field(
        None, description="As recorded by the CRM (null: read from the registry)."
    )
    delay_certified_on: dt.date | None = None
    eu_end_of_trial_on: dt.date | None = None
    eu_results_submitted_on: dt.date | None = None
    under_ind_ide: bool | None = None
    ind_ide_number: str = ""
    us_product_exported: bool | None = None
    paediatric: bool | None = None
    delay_certification: str = ""
    product_approved_on: dt.date | None = None
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
    under_ind_ide: bool | None = Field(None, description="Conducted under a US IND or IDE (null: unknown).")
    ind_ide_number: str = Field("", max_length=20)
    us_product_exported: bool | None = Field(
        None, description="A product made in the US is exported for the study (null: read from the registry)."
    )
    paediatric: bool | None = Field(
        None, description="Paediatric trial (null: read from the registry's ages)."
    )
    delay_certification: Literal["", "initial_approval", "new_use"] = Field(
        "", description="initial_approval: 42 CFR 11.44(c); new_use: 11.44(b)."
    )
    product_approved_on: dt.date | None = Field(
        None, description="FDA approval, licensure or clearance of the product (or the new use)."
    )
    reason: str = Field(description="Why the facts change; kept on the audit trail.")
