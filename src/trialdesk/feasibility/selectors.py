"""Reads of feasibility, each from what the reader may see: templates, agreements, questionnaires and
their scores, the ranked list of candidate sites with their institutions' past performance in Trialdesk,
and the executed confidentiality agreements start-up reads as one of its items."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from trialdesk.feasibility import performance, rules
from trialdesk.feasibility.models import (
    ConfidentialityAgreement,
    Questionnaire,
    QuestionnaireAnswer,
    QuestionnaireTemplate,
    SelectionDecision,
    TemplateQuestion,
)
from trialdesk.sites.models import StudySite


def templates_for(user, study=None) -> QuerySet[QuestionnaireTemplate]:
    templates = QuestionnaireTemplate.objects.visible_to(user)
    return templates if study is None else templates.filter(study=study)


def questions_of(template) -> QuerySet[TemplateQuestion]:
    return TemplateQuestion.objects.filter(template=template).order_by("position", "id")


def agreements_for(user, study=None) -> QuerySet[ConfidentialityAgreement]:
    found = ConfidentialityAgreement.objects.visible_to(user).select_related("study_site__institution")
    return found if study is None else found.filter(study=study)


def questionnaires_for(user, study=None) -> QuerySet[Questionnaire]:
    found = Questionnaire.objects.visible_to(user).select_related(
        "study", "study_site__institution", "template"
    )
    return found if study is None else found.filter(study=study)


def decisions_for(user, study=None) -> QuerySet[SelectionDecision]:
    found = SelectionDecision.objects.visible_to(user).select_related("study_site", "decided_by")
    return found if study is None else found.filter(study=study)


# Read by start-up (issue 17 §2) for its "confidentiality agreement" item: facts about sites the caller
# has already scoped, so these take no user.
def cda_executed_site_ids(study) -> set[int]:
    """The ids of the study's sites whose confidentiality agreement is executed."""
    return set(
        ConfidentialityAgreement.objects.filter(study=study, status=rules.CDA_EXECUTED).values_list(
            "study_site_id", flat=True
        )
    )


def executed_cda(study_site) -> ConfidentialityAgreement | None:
    """The site's executed confidentiality agreement (its `executed_on` and `document_url`), or None."""
    return ConfidentialityAgreement.objects.filter(study_site=study_site, status=rules.CDA_EXECUTED).first()


@dataclass(frozen=True)
class AnsweredQuestion:
    question: TemplateQuestion
    value: str
    score: Decimal | None  # 0 to 1; None for a question that carries no weight


def answered_questions(questionnaire) -> list[AnsweredQuestion]:
    """Every question of the questionnaire's template with the site's answer ("" if none) and its score."""
    values = dict(
        QuestionnaireAnswer.objects.filter(questionnaire=questionnaire).values_list("question_id", "value")
    )
    return [
        AnsweredQuestion(
            q, values.get(q.pk, ""), rules.answer_score(q.facts(), values.get(q.pk, "")) if q.weight else None
        )
        for q in questions_of(questionnaire.template)
    ]


def scores_of(questionnaires: list[Questionnaire]) -> dict[int, Decimal | None]:
    """Each questionnaire's weighted score (%) by the weights as they stand now; two queries."""
    template_ids = {q.template_id for q in questionnaires}
    questions: dict[int, list[TemplateQuestion]] = {}
    for question in TemplateQuestion.objects.filter(template_id__in=template_ids):
        questions.setdefault(question.template_id, []).append(question)
    values: dict[int, dict[int, str]] = {}
    for questionnaire_id, question_id, value in QuestionnaireAnswer.objects.filter(
        questionnaire__in=[q.pk for q in questionnaires]
    ).values_list("questionnaire_id", "question_id", "value"):
        values.setdefault(questionnaire_id, {})[question_id] = value
    return {
        q.pk: rules.questionnaire_score(
            [
                (question.facts(), values.get(q.pk, {}).get(question.pk, ""))
                for question in questions.get(q.template_id, [])
            ]
        )
        for q in questionnaires
    }


@dataclass(frozen=True)
class CandidateRow:
    """One site on the ranked list: its questionnaire and score, its agreement, its past, the decision."""

    rank: int | None
    site: StudySite
    agreement: ConfidentialityAgreement | None
    questionnaire: Questionnaire | None
    score: Decimal | None
    past: performance.PastPerformance
    decision: SelectionDecision | None

    @property
    def cda_state(self) -> str:
        return self.agreement.status if self.agreement else "none"


def ranking(user, study, *, today: dt.date | None = None) -> list[CandidateRow]:
    """The study's candidate sites (and those decided in this round) the reader may see, ranked by the
    score of their submitted questionnaire (highest first; unsubmitted ones after, by site number)."""
    sites = list(
        StudySite.objects.visible_to(user)
        .filter(study=study)
        .select_related("institution")
        .prefetch_related(
            Prefetch("feasibility_questionnaires", queryset=Questionnaire.objects.select_related("template"))
        )
        .order_by("site_number")
    )
    agreements = {a.study_site_id: a for a in ConfidentialityAgreement.objects.filter(study=study)}
    decisions = {
        d.study_site_id: d for d in SelectionDecision.objects.filter(study=study).select_related("decided_by")
    }
    latest = {s.pk: max(s.feasibility_questionnaires.all(), key=lambda q: q.pk, default=None) for s in sites}
    # The candidates, and the sites that took part in feasibility (a questionnaire, a decision).
    sites = [
        s
        for s in sites
        if s.status in rules.CANDIDATE_STATUSES or s.pk in decisions or latest[s.pk] is not None
    ]
    scores = scores_of([q for q in latest.values() if q is not None and q.status == rules.SUBMITTED])
    past = performance.past_performance(
        {s.institution_id for s in sites}, excluding=study, as_of=today or timezone.now().date()
    )
    rows = [(s, scores.get(latest[s.pk].pk) if latest[s.pk] else None) for s in sites]
    rows.sort(key=lambda pair: (pair[1] is None, -(pair[1] or 0), pair[0].site_number))
    ranked = []
    for position, (site, score) in enumerate(rows, start=1):
        ranked.append(
            CandidateRow(
                rank=position if score is not None else None,
                site=site,
                agreement=agreements.get(site.pk),
                questionnaire=latest[site.pk],
                score=score,
                past=past.get(site.institution_id, performance.NO_HISTORY),
                decision=decisions.get(site.pk),
            )
        )
    return ranked


def questionnaires_to_answer(user) -> QuerySet[Questionnaire]:
    """Questionnaires sent to sites where `user` is a coordinator or investigator, not yet submitted."""
    from trialdesk.core.roles import SITE_STAFF_ROLES
    from trialdesk.core.scoping import role_facts

    facts = role_facts(user)
    own = [site_id for site_id, roles in facts.site_roles.items() if roles & SITE_STAFF_ROLES]
    return Questionnaire.objects.visible_to(user).filter(study_site_id__in=own, status=rules.SENT)


def answers_to_score(user) -> QuerySet[Questionnaire]:
    """Submitted questionnaires of studies `user` is CRM of whose site has no selection decision yet."""
    from trialdesk.core.roles import Role
    from trialdesk.core.scoping import role_facts

    facts = role_facts(user)
    studies = [study_id for study_id, roles in facts.study_roles.items() if Role.CRM in roles]
    return (
        Questionnaire.objects.visible_to(user)
        .filter(study_id__in=studies, status=rules.SUBMITTED, study_site__selection_decision__isnull=True)
        .select_related("study", "study_site")
    )
