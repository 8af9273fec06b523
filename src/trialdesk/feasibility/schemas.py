"""Input and output schemas of the feasibility API. Weights and scores are decimals written as text."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from trialdesk.core.apiutils import LARGEST_INTEGER, InSchema, RecordVersion, required_reason
from trialdesk.feasibility import rules

Kind = Literal[rules.KINDS]
Topic = Literal[tuple(rules.TOPIC_LABELS)]
Outcome = Literal[rules.SELECTED, rules.NOT_SELECTED]


class FeasibilityQuestionOut(Schema):
    id: int
    key: str
    text: str
    topic: str
    kind: str
    choices: list[str]
    target: str | None
    lower_is_better: bool
    weight: str
    required: bool
    position: int
    version: int


class FeasibilityTemplateOut(Schema):
    id: int
    study_id: int
    name: str
    description: str
    version: int
    questions: list[FeasibilityQuestionOut]


class FeasibilityTemplateIn(InSchema):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=2000)
    with_default_questions: bool = Field(False, description="Start from the usual feasibility questions.")


class FeasibilityQuestionIn(InSchema):
    key: str = Field(min_length=1, max_length=60, description="Letters, digits, - and _.")
    text: str = Field(min_length=1, max_length=400)
    topic: Topic = "other"
    kind: Kind
    choices: list[str] = Field([], max_length=50, description="Choice questions: the answers, best first.")
    target: Decimal | None = Field(
        None, max_digits=12, decimal_places=2, description="Number: full marks at."
    )
    lower_is_better: bool = False
    weight: Decimal = Field(
        Decimal(1), max_digits=6, decimal_places=2, description="0 to 100; 0: not scored."
    )
    required: bool = True
    position: int | None = Field(None, ge=0, le=LARGEST_INTEGER)


class FeasibilityQuestionPatch(InSchema):
    text: str | None = Field(None, min_length=1, max_length=400)
    topic: Topic | None = None
    choices: list[str] | None = Field(None, max_length=50)
    target: Decimal | None = Field(None, max_digits=12, decimal_places=2)
    lower_is_better: bool | None = None
    weight: Decimal | None = Field(None, max_digits=6, decimal_places=2)
    required: bool | None = None
    position: int | None = Field(None, ge=0, le=LARGEST_INTEGER)
    reason: str = required_reason("Why the question changes; kept on the audit trail.")
    version: RecordVersion | None = Field(None, description="The `version` you read (or send `If-Match`).")


class CdaOut(Schema):
    id: int
    study_id: int
    study_site_id: int
    site_number: str
    status: str
    sent_on: dt.date
    executed_on: dt.date | None
    document_url: str
    notes: str
    version: int


class CdaSentIn(InSchema):
    sent_on: dt.date
    notes: str = Field("", max_length=2000)


class CdaExecutedIn(InSchema):
    executed_on: dt.date | None = Field(None, description="Required: the day both parties had signed.")
    document_url: str = Field(
        "", max_length=500, description="Required: where the signed agreement is filed."
    )
    version: RecordVersion | None = None


class FeasibilityQuestionnaireIn(InSchema):
    template_id: int = Field(ge=1, le=LARGEST_INTEGER)
    study_site_id: int = Field(ge=1, le=LARGEST_INTEGER)
    due_on: dt.date | None = None


class FeasibilityAnswerOut(Schema):
    question_id: int
    key: str
    text: str
    kind: str
    value: str
    score: str | None = Field(description="0 to 1; null for a question without weight.")


class FeasibilityQuestionnaireOut(Schema):
    id: int
    study_id: int
    study_site_id: int
    site_number: str
    template_id: int
    template_name: str
    status: str
    sent_on: dt.date
    due_on: dt.date | None
    submitted_at: dt.datetime | None
    score: str | None = Field(description="Weighted score in %, once submitted.")
    version: int


class FeasibilityQuestionnaireDetailOut(FeasibilityQuestionnaireOut):
    answers: list[FeasibilityAnswerOut]


class FeasibilityAnswersIn(InSchema):
    answers: dict[str, str] = Field(description='{question key: answer}, e.g. {"storage_2_8": "yes"}.')
    submit: bool = Field(False, description="Hand the answers to the CRM (every required question answered).")


class SitePastPerformanceOut(Schema):
    earlier_sites: int
    enrollment_per_month: str | None
    activation_days: int | None
    deviations_per_participant: str | None


class SelectionDecisionOut(Schema):
    id: int
    study_site_id: int
    outcome: str
    rationale: str
    decided_on: dt.date
    decided_by: str
    score: str | None
    rank: int | None


class FeasibilityCandidateOut(Schema):
    rank: int | None
    study_site_id: int
    site_number: str
    institution: str
    country: str
    status: str
    cda_status: str
    questionnaire_id: int | None
    questionnaire_status: str | None
    score: str | None
    past_performance: SitePastPerformanceOut
    decision: SelectionDecisionOut | None


class SelectionDecisionIn(InSchema):
    outcome: Outcome
    rationale: str = Field("", max_length=5000, description="Required: why the site is or is not selected.")
    decided_on: dt.date | None = None
