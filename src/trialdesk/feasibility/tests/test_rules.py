"""The feasibility rules as tables: what a question may be, how answers are read and scored, what an
executed agreement needs, when a questionnaire may be sent and a decision made."""

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialdesk.feasibility import performance, rules
from trialdesk.feasibility.rules import CHOICE, NUMBER, TEXT, YES_NO, QuestionFacts

COUNT = QuestionFacts(NUMBER, D(2), target=D(100))
FEWER = QuestionFacts(NUMBER, D(2), target=D(5), lower_is_better=True)
YES_GOOD = QuestionFacts(YES_NO, D(1))
NO_GOOD = QuestionFacts(YES_NO, D(1), lower_is_better=True)
PICK = QuestionFacts(CHOICE, D(1), choices=("best", "middle", "worst"))
NOTE = QuestionFacts(TEXT, D(0), required=False)


@pytest.mark.parametrize(
    ("question", "field"),
    [
        (QuestionFacts(NUMBER, D(-1), target=D(10)), "weight"),
        (QuestionFacts(NUMBER, D(101), target=D(10)), "weight"),
        (QuestionFacts(TEXT, D(1)), "weight"),
        (QuestionFacts(NUMBER, D(1)), "target"),
        (QuestionFacts(NUMBER, D(1), target=D(0)), "target"),
        (QuestionFacts(CHOICE, D(1), choices=("only",)), "choices"),
        (QuestionFacts(CHOICE, D(1), choices=("a", "a")), "choices"),
        (QuestionFacts(YES_NO, D(1), choices=("a", "b")), "choices"),
        (QuestionFacts("essay", D(1)), "kind"),
    ],
)
def test_question_problems_name_the_field(question, field):
    assert field in rules.question_problems(question)


def test_weight_below_zero_message_names_it():
    assert (
        rules.question_problems(QuestionFacts(YES_NO, D("-0.5")))["weight"] == "A weight cannot be below 0."
    )


@pytest.mark.parametrize("question", [COUNT, FEWER, YES_GOOD, NO_GOOD, PICK, NOTE])
def test_well_formed_questions_have_no_problems(question):
    assert rules.question_problems(question) == {}


@pytest.mark.parametrize(
    ("question", "raw", "canonical"),
    [
        (COUNT, " 40 ", "40"),
        (COUNT, "1,200", "1200"),
        (COUNT, "12.50", "12.5"),
        (YES_GOOD, "Yes", "yes"),
        (YES_GOOD, "NO", "no"),
        (PICK, "middle", "middle"),
        (NOTE, "  PET on Tuesdays ", "PET on Tuesdays"),
        (COUNT, "", ""),
    ],
)
def test_parse_answer_canonical_forms(question, raw, canonical):
    assert rules.parse_answer(question, raw) == canonical


@pytest.mark.parametrize(
    ("question", "raw", "message"),
    [
        (COUNT, "many", "Give a number, e.g. 40."),
        (COUNT, "-3", "Give a number of 0 or more."),
        (COUNT, "NaN", "Give a number of 0 or more."),
        (YES_GOOD, "maybe", "Answer yes or no."),
        (PICK, "other", "Choose one of: best, middle, worst."),
    ],
)
def test_parse_answer_refuses_what_does_not_fit(question, raw, message):
    with pytest.raises(ValueError, match=message.replace(".", r"\.")):
        rules.parse_answer(question, raw)


@pytest.mark.parametrize(
    ("question", "value", "score"),
    [
        (COUNT, "50", D("0.5")),
        (COUNT, "250", D(1)),
        (FEWER, "1", D("0.8")),
        (FEWER, "9", D(0)),
        (YES_GOOD, "yes", D(1)),
        (YES_GOOD, "no", D(0)),
        (NO_GOOD, "no", D(1)),
        (PICK, "best", D(1)),
        (PICK, "middle", D("0.5")),
        (PICK, "worst", D(0)),
        (NOTE, "anything", D(0)),
        (COUNT, "", D(0)),
    ],
)
def test_answer_score_table(question, value, score):
    assert rules.answer_score(question, value) == score


def test_questionnaire_score_is_the_weighted_mean_in_percent():
    # (2 × 0.5 + 2 × 0.8 + 1 × 1 + 1 × 0.5) / 6 = 4.1 / 6 = 68.33 %
    answered = [(COUNT, "50"), (FEWER, "1"), (YES_GOOD, "yes"), (PICK, "middle"), (NOTE, "x")]
    assert rules.questionnaire_score(answered) == D("68.33")
    assert rules.questionnaire_score([(NOTE, "x")]) is None


@settings(max_examples=30)
@given(st.lists(st.tuples(st.integers(0, 10), st.integers(0, 300)), min_size=1, max_size=6))
def test_questionnaire_score_stays_between_0_and_100(pairs):
    answered = [(QuestionFacts(NUMBER, D(w), target=D(100)), str(x)) for w, x in pairs]
    score = rules.questionnaire_score(answered)
    assert score is None or D(0) <= score <= D(100)


@pytest.mark.parametrize(
    ("status", "executed_on", "url", "fields"),
    [
        ("executed", None, "", {"executed_on", "document_url"}),
        ("executed", dt.date(2025, 1, 1), "", {"executed_on", "document_url"}),  # before it was sent
        ("executed", dt.date(2025, 2, 1), "https://x.org/cda.pdf", set()),
        ("sent", None, "", set()),
        ("sent", dt.date(2025, 2, 1), "", {"executed_on"}),
    ],
)
def test_cda_problems(status, executed_on, url, fields):
    problems = rules.cda_problems(
        status=status, sent_on=dt.date(2025, 1, 10), executed_on=executed_on, document_url=url
    )
    assert set(problems) == fields


@pytest.mark.parametrize(
    ("site_status", "cda", "refused"),
    [
        ("identified", "executed", False),
        ("under_feasibility", "executed", False),
        ("identified", "sent", True),
        ("identified", None, True),
        ("selected", "executed", True),
    ],
)
def test_send_problem(site_status, cda, refused):
    assert bool(rules.send_problem(site_status=site_status, cda_status=cda)) is refused


def test_decision_needs_a_rationale_and_a_candidate():
    assert set(rules.decision_problem(site_status="selected", rationale="  ")) == {"rationale", "study_site"}
    assert rules.decision_problem(site_status="under_feasibility", rationale="Best score") == {}


def test_default_questions_are_well_formed_and_cover_the_usual_topics():
    for default in rules.DEFAULT_QUESTIONS:
        facts = QuestionFacts(
            default.kind, default.weight, default.choices, default.target, default.lower_is_better
        )
        assert rules.question_problems(facts) == {}, default.key
    assert {d.topic for d in rules.DEFAULT_QUESTIONS} >= {
        "population",
        "competition",
        "staff",
        "equipment",
        "storage",
        "performance",
    }


def test_past_performance_figures():
    # 12 enrolled over 365 days open: 12 × 30.44 / 365 = 1.00 per month; 3 deviations / 12 = 0.25
    past = performance.figures(
        enrolled=12, days_open=365, activation_days=[40, 90, 60], deviations=3, sites=2
    )
    assert past == performance.PastPerformance(2, D("1.00"), 60, D("0.25"))
    assert performance.figures(enrolled=0, days_open=0, activation_days=[], deviations=0, sites=1) == (
        performance.PastPerformance(1, None, None, None)
    )
