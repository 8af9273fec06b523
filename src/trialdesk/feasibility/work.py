"""Feasibility's "my work": site staff see the questionnaires sent to their site still to answer; the
study's CRM sees submitted answers to score and decide on."""

from django.urls import reverse
from django.utils.translation import gettext

from trialdesk.core import extensions as ext
from trialdesk.feasibility import selectors


def _url(questionnaire) -> str:
    return reverse("feasibility_questionnaire", kwargs={"feasibility_questionnaire_id": questionnaire.pk})


def questionnaires_to_answer(user, today) -> list[ext.WorkItem]:
    return [
        ext.WorkItem(
            kind="feasibility_questionnaire",
            title=gettext("Answer the feasibility questionnaire for site %(number)s")
            % {"number": q.study_site.site_number},
            due_on=q.due_on or q.sent_on,
            url=_url(q),
            study_code=q.study.code,
            overdue=bool(q.due_on and q.due_on < today),
        )
        for q in selectors.questionnaires_to_answer(user).select_related("study", "study_site")
    ]


def answers_to_score(user, today) -> list[ext.WorkItem]:
    return [
        ext.WorkItem(
            kind="feasibility_answers",
            title=gettext("Review the feasibility answers of site %(site_number)s and decide")
            % {"site_number": q.study_site.site_number},
            due_on=q.submitted_at.date() if q.submitted_at else q.sent_on,
            url=_url(q),
            study_code=q.study.code,
        )
        for q in selectors.answers_to_score(user)
    ]


TO_ANSWER = ext.WorkSource(
    "feasibility_questionnaire", "Feasibility questionnaires", questionnaires_to_answer, 420
)
TO_SCORE = ext.WorkSource("feasibility_answers", "Feasibility answers to review", answers_to_score, 421)
