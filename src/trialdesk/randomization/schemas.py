"""Schemas of the randomization API: schemes, allocations (the arm null when concealed) and unblindings."""

import datetime as dt

from ninja import Field, Schema

from trialdesk.core.apiutils import InSchema, RecordVersion, required_reason
from trialdesk.randomization.models import Measure, Method, SchemeStatus
from trialdesk.randomization.rules import MAX_PER_STRATUM, MAX_SEED

REASON_FOR_CHANGE = "Why the record changes; kept on the audit trail."
RECORD_VERSION = "The `version` you read (or send `If-Match` with the ETag); a stale one answers 409."


class FactorIn(InSchema):
    name: str
    levels: list[str]
    weight: float = Field(1.0, ge=0, description="Minimization only: the factor's weight.")


class SchemeIn(InSchema):
    method: Method
    arms: list[str] = Field(description="Codes of the study's arms to randomize between (two or more).")
    factors: list[FactorIn] = Field([], description="Stratification (blocks) or minimization factors.")
    block_sizes: list[int] = Field([], description="Permuted blocks: each a multiple of the ratio's sum.")
    per_stratum: int | None = Field(None, ge=1, le=MAX_PER_STRATUM, description="Permuted blocks.")
    seed: int | None = Field(None, ge=0, le=MAX_SEED, description="Empty: a secret seed is drawn.")
    measure: Measure = Measure.RANGE
    p_preferred: float = Field(0.8, ge=0, le=1, description="Minimization: probability of the preferred arm.")
    site_is_factor: bool = False
    site_weight: float = Field(1.0, ge=0)
    reason: str = Field("", description=REASON_FOR_CHANGE)


class SchemePatch(InSchema):
    method: Method | None = None
    arms: list[str] | None = None
    factors: list[FactorIn] | None = None
    block_sizes: list[int] | None = None
    per_stratum: int | None = Field(None, ge=1, le=MAX_PER_STRATUM)
    seed: int | None = Field(None, ge=0, le=MAX_SEED)
    measure: Measure | None = None
    p_preferred: float | None = Field(None, ge=0, le=1)
    site_is_factor: bool | None = None
    site_weight: float | None = Field(None, ge=0)
    reason: str = required_reason(REASON_FOR_CHANGE)
    version: RecordVersion | None = Field(None, description=RECORD_VERSION)


class ActivateIn(InSchema):
    reason: str = Field("", description=REASON_FOR_CHANGE)
    version: RecordVersion | None = Field(None, description=RECORD_VERSION)


class ArmShareOut(Schema):
    code: str
    ratio: int


class FactorOut(Schema):
    name: str
    levels: list[str]
    weight: float


class SchemeOut(Schema):
    id: int
    study_id: int
    method: Method
    status: SchemeStatus
    arms: list[ArmShareOut]
    factors: list[FactorOut]
    block_sizes: list[int] | None = Field(description="Null unless you manage the study or are unblinded.")
    per_stratum: int | None
    seed: int | None = Field(description="Null unless you have unblinded access.")
    measure: Measure
    p_preferred: float
    site_is_factor: bool
    site_weight: float
    activated_at: dt.datetime | None
    list_sha256: str
    version: int


class RandomizeIn(InSchema):
    factor_levels: dict[str, str] = Field(
        default_factory=dict, description='The participant\'s level of each factor, e.g. {"sex": "F"}.'
    )


class AllocationOut(Schema):
    id: int
    participant_id: int
    participant_number: str
    study_site_id: int
    stratum: str
    factor_levels: dict[str, str]
    randomized_at: dt.datetime
    randomized_by: str | None
    arm: str | None = Field(description="The arm's code; null when it is concealed from you.")
    arm_name: str | None
    blinded: bool


class UnblindIn(InSchema):
    reason: str = required_reason("Why the participant must be unblinded.")
    password: str = Field("", description="Required. Your password: the electronic signature.")


class UnblindingOut(Schema):
    id: int
    participant_id: int
    signer: str
    signed_at: dt.datetime
    meaning: str
    reason: str
    arm: str
    arm_name: str
