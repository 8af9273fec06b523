"""Pure rules of feasibility: what a question may be, how an answer is read and scored, what an executed
confidentiality agreement needs, and the default questionnaire a CRM starts from.

Scoring, as a CRM would check it by hand:

| kind   | answer                | score (0 to 1)                                                   |
|--------|-----------------------|------------------------------------------------------------------|
| number | x, target t           | min(x / t, 1); with lower_is_better: 1 - min(x / t, 1)           |
| yes_no | yes / no              | yes = 1, no = 0; with lower_is_better: no = 1, yes = 0           |
| choice | the i-th of n choices | choices are listed best first: 1 - i / (n - 1) (one choice: 1)   |
| text   | anything              | not scored (its weight must be 0)                                |

A questionnaire's score is the weighted mean of its scored answers, as a percentage of the total weight
of its scored questions (an unanswered question scores 0), so sites answering the same template compare.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

NUMBER, YES_NO, CHOICE, TEXT = "number", "yes_no", "choice", "text"
KINDS = (NUMBER, YES_NO, CHOICE, TEXT)
YES, NO = "yes", "no"

CDA_SENT, CDA_EXECUTED, CDA_DECLINED = "sent", "executed", "declined"
SENT, SUBMITTED = "sent", "submitted"
SELECTED, NOT_SELECTED = "selected", "not_selected"

# The study-site statuses (sites.rules.LIFECYCLE) of a candidate: considered, not yet decided.
CANDIDATE_STATUSES = ("identified", "under_feasibility")
# The site status each selection outcome moves a candidate to (through sites.services.change_site_status).
STATUS_AFTER_DECISION = {SELECTED: "selected", NOT_SELECTED: "terminated"}

TOPIC_LABELS = {
    "population": "Patient population",
    "competition": "Competing studies",
    "staff": "Staff",
    "equipment": "Equipment",
    "storage": "Storage",
    "performance": "Prior performance",
    "other": "Other",
}

MAX_WEIGHT = Decimal("100")


@dataclass(frozen=True)
class QuestionFacts:
    kind: str
    weight: Decimal
    choices: tuple[str, ...] = ()
    target: Decimal | None = None
    lower_is_better: bool = False
    required: bool = True


def question_problems(q: QuestionFacts) -> dict[str, str]:
    """What is wrong with a question as the CRM set it, by field (empty when nothing is)."""
    problems = {}
    if q.kind not in KINDS:
        problems["kind"] = f"Choose one of: {', '.join(KINDS)}."
    if q.weight is None or Decimal(q.weight) < 0:
        problems["weight"] = "A weight cannot be below 0."
    elif Decimal(q.weight) > MAX_WEIGHT:
        problems["weight"] = f"A weight cannot be above {MAX_WEIGHT}."
    elif q.kind == TEXT and Decimal(q.weight) != 0:
        problems["weight"] = "Text answers are read, not scored: give a text question the weight 0."
    if q.kind == CHOICE:
        labels = [str(c).strip() for c in q.choices]
        if len(labels) < 2 or not all(labels):
            problems["choices"] = "A choice question needs at least two answers to choose from."
        elif len(set(labels)) != len(labels):
            problems["choices"] = "Each answer offered must be different."
    elif q.choices:
        problems["choices"] = "Only choice questions offer answers to choose from."
    if q.kind == NUMBER and (q.target is None or Decimal(q.target) <= 0):
        problems["target"] = "Say which answer scores full marks (a number above 0)."
    return problems


def parse_answer(q: QuestionFacts, raw: str) -> str:
    """The answer in its canonical form ("" when blank); ValueError with a message when it does not fit."""
    text = (raw or "").strip()
    if not text:
        return ""
    if q.kind == NUMBER:
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation:
            raise ValueError("Give a number, e.g. 40.") from None
        if not number.is_finite() or number < 0:
            raise ValueError("Give a number of 0 or more.")
        return format(number.normalize(), "f")
    if q.kind == YES_NO:
        lowered = text.lower()
        if lowered not in (YES, NO):
            raise ValueError("Answer yes or no.")
        return lowered
    if q.kind == CHOICE:
        if text not in q.choices:
            raise ValueError(f"Choose one of: {', '.join(q.choices)}.")
        return text
    return text


def answer_score(q: QuestionFacts, value: str) -> Decimal:
    """The score (0 to 1) of a canonical answer; 0 for a blank answer and for text."""
    if not value or q.kind == TEXT:
        return Decimal(0)
    if q.kind == NUMBER:
        share = min(Decimal(value) / Decimal(q.target), Decimal(1))
        return Decimal(1) - share if q.lower_is_better else share
    if q.kind == YES_NO:
        favourable = NO if q.lower_is_better else YES
        return Decimal(1) if value == favourable else Decimal(0)
    position = q.choices.index(value)
    if len(q.choices) == 1:
        return Decimal(1)
    return Decimal(1) - Decimal(position) / Decimal(len(q.choices) - 1)


def questionnaire_score(answered: list[tuple[QuestionFacts, str]]) -> Decimal | None:
    """The weighted score of (question, canonical answer) pairs as a percentage with two decimals; None
    when no question carries weight."""
    total = sum((Decimal(q.weight) for q, _ in answered), Decimal(0))
    if total == 0:
        return None
    earned = sum((Decimal(q.weight) * answer_score(q, value) for q, value in answered), Decimal(0))
    return (earned * 100 / total).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def missing_required(answered: list[tuple[QuestionFacts, str, str]]) -> list[str]:
    """The keys of required questions left blank: (question, key, canonical answer) triples."""
    return [key for q, key, value in answered if q.required and not value]


def cda_problems(
    *, status: str, sent_on: dt.date | None, executed_on: dt.date | None, document_url: str
) -> dict:
    """An executed agreement has its date (not before it was sent) and its signed document."""
    problems = {}
    if status == CDA_EXECUTED:
        if executed_on is None:
            problems["executed_on"] = "Say when the agreement was executed."
        elif sent_on and executed_on < sent_on:
            problems["executed_on"] = "An agreement cannot be executed before it was sent."
        if not (document_url or "").strip():
            problems["document_url"] = "Link the executed agreement (where the signed document is filed)."
    elif executed_on is not None:
        problems["executed_on"] = "Only an executed agreement has an execution date."
    return problems


def send_problem(*, site_status: str, cda_status: str | None) -> dict[str, str]:
    """Why a questionnaire may not be sent to a site: it must be a candidate with an executed CDA."""
    if site_status not in CANDIDATE_STATUSES:
        return {
            "study_site": f"Only a candidate site (identified or under feasibility) gets a questionnaire; "
            f"this one is {site_status.replace('_', ' ')}."
        }
    if cda_status != CDA_EXECUTED:
        state = "not yet recorded" if cda_status is None else cda_status
        return {
            "study_site": f"The site's confidentiality agreement must be executed before the questionnaire "
            f"is sent (it is {state})."
        }
    return {}


def decision_problem(*, site_status: str, rationale: str) -> dict[str, str]:
    """A decision is about a candidate site and always gives its rationale."""
    problems = {}
    if not (rationale or "").strip():
        problems["rationale"] = "Give the rationale for the decision."
    if site_status not in CANDIDATE_STATUSES:
        problems["study_site"] = (
            f"Only a candidate site can be selected or not; this one is {site_status.replace('_', ' ')}."
        )
    return problems


@dataclass(frozen=True)
class DefaultQuestion:
    key: str
    topic: str
    text: str
    kind: str
    weight: Decimal
    target: Decimal | None = None
    lower_is_better: bool = False
    choices: tuple[str, ...] = ()
    required: bool = True


# The questions a CRM usually asks a candidate site, after the common feasibility questionnaires (patient
# population, competition, staff, equipment, storage, prior performance); the CRM adjusts the weights.
DEFAULT_QUESTIONS = (
    DefaultQuestion(
        "eligible_patients_per_year",
        "population",
        "How many patients meeting the main eligibility criteria does the site see per year?",
        NUMBER,
        Decimal(3),
        target=Decimal(100),
    ),
    DefaultQuestion(
        "expected_enrollment",
        "population",
        "How many participants do you expect to enroll in the recruitment period?",
        NUMBER,
        Decimal(3),
        target=Decimal(20),
    ),
    DefaultQuestion(
        "competing_studies",
        "competition",
        "How many competing studies for the same population run at the site?",
        NUMBER,
        Decimal(2),
        target=Decimal(5),
        lower_is_better=True,
    ),
    DefaultQuestion(
        "dedicated_coordinator", "staff", "Is a study coordinator dedicated to the study?", YES_NO, Decimal(2)
    ),
    DefaultQuestion(
        "investigator_experience",
        "staff",
        "How many trials in this indication has the investigator led?",
        CHOICE,
        Decimal(2),
        choices=("More than 5", "1 to 5", "None"),
    ),
    DefaultQuestion(
        "equipment_available",
        "equipment",
        "Is the equipment the protocol requires available on site?",
        YES_NO,
        Decimal(2),
    ),
    DefaultQuestion(
        "storage_2_8",
        "storage",
        "Is there monitored, access-controlled storage at 2-8 °C for the product?",
        YES_NO,
        Decimal(2),
    ),
    DefaultQuestion(
        "ethics_turnaround",
        "performance",
        "How long does the site's ethics and contract review usually take?",
        CHOICE,
        Decimal(1),
        choices=("Under 30 days", "30 to 60 days", "Over 60 days"),
    ),
    DefaultQuestion(
        "prior_enrollment_met",
        "performance",
        "Did the site meet its enrollment target in its last trial?",
        YES_NO,
        Decimal(1),
    ),
    DefaultQuestion(
        "comments", "other", "Anything else the sponsor should know?", TEXT, Decimal(0), required=False
    ),
)
