"""Visit reports: the template of each visit type (data/report_templates.json), what a valid set of
answers is, what must be answered before submission, when a report is due, and how it moves.

| report    | move    | becomes   | who                         |
|-----------|---------|-----------|-----------------------------|
| draft     | submit  | submitted | the visit's CRA, signing    |
| returned  | submit  | submitted | the visit's CRA, signing    |
| submitted | approve | approved  | the study's CRM, signing    |
| submitted | return  | returned  | the study's CRM, commenting |

Only a draft or a returned report is edited; an approved report is final.
"""

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import gettext

from trialdesk.safety.rules.calendars import add_working_days

TEMPLATES_FILE = Path(__file__).resolve().parent.parent / "data" / "report_templates.json"
ANSWERS = ("yes", "no", "na")
DRAFT, SUBMITTED, RETURNED, APPROVED = "draft", "submitted", "returned", "approved"
REPORT_MOVES: dict[tuple[str, str], str] = {
    (DRAFT, "submit"): SUBMITTED,
    (RETURNED, "submit"): SUBMITTED,
    (SUBMITTED, "approve"): APPROVED,
    (SUBMITTED, "return"): RETURNED,
}
EDITABLE = frozenset({DRAFT, RETURNED})


@dataclass(frozen=True)
class Question:
    key: str
    section: str
    text: str
    required: bool


@cache
def _document() -> dict:
    return json.loads(TEMPLATES_FILE.read_text(encoding="utf-8"))


def section_label(key: str) -> str:
    return _document()["sections"].get(key, key)


def answer_label(answer: str) -> str:
    return _document()["answers"].get(answer, "—")


def template(visit_type: str) -> tuple[Question, ...]:
    """The questions of a visit type's report, in the template's order."""
    return tuple(Question(**row) for row in _document()["templates"].get(visit_type, ()))


def answers_problems(visit_type: str, answers) -> dict[str, str]:
    """What is wrong with a set of answers, by field (`answers.<question>`): unknown questions, answers
    other than yes/no/na, a 'no' without a comment, text that is not text."""
    if not isinstance(answers, dict):
        return {"answers": gettext("Give the answers as an object keyed by question.")}
    known = {question.key for question in template(visit_type)}
    problems = {}
    for key, given in answers.items():
        field = f"answers.{key}"
        if key not in known:
            problems[field] = gettext("This report's template has no such question.")
            continue
        if not isinstance(given, dict) or not set(given) <= {"answer", "comment"}:
            problems[field] = gettext('Give {"answer": "yes" | "no" | "na", "comment": "..."}.')
            continue
        answer, comment = given.get("answer", ""), given.get("comment", "")
        if not isinstance(comment, str) or not isinstance(answer, str):
            problems[field] = gettext("The answer and the comment are text.")
        elif answer and answer not in ANSWERS:
            problems[field] = gettext("Answer %(answers)s.") % {"answers": ", ".join(ANSWERS)}
        elif answer == "no" and not comment.strip():
            problems[field] = gettext("Say what was found: a 'no' needs a comment.")
    return problems


def unanswered(visit_type: str, answers: dict) -> list[str]:
    """The required questions without an answer, in the template's order."""
    return [
        question.key
        for question in template(visit_type)
        if question.required and not (answers.get(question.key) or {}).get("answer")
    ]


def report_due_on(*, visit_ended_on: dt.date, working_days: int, calendar: str | None) -> dt.date:
    """The day the report is due: `working_days` working days (weekends and the site country's public
    holidays skipped) after the visit's last day."""
    return add_working_days(visit_ended_on, working_days, calendar)


def move_problem(status: str, move: str) -> str | None:
    if (status, move) in REPORT_MOVES:
        return None
    if move == "submit":
        return gettext("A %(status)s report cannot be submitted.") % {"status": status}
    return gettext("A %(status)s report cannot be %(moved)s.") % {"status": status, "moved": move + "d"}


def is_overdue(*, status: str, due_on: dt.date, today: dt.date) -> bool:
    """A report not yet submitted after its due day."""
    return status in EDITABLE and today > due_on
