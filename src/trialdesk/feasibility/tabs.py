"""The study page's Feasibility tab (group Sites): the ranked candidate sites with their agreements,
questionnaires, scores, past performance and decisions; the templates; and, for a site's staff, their
own questionnaire to answer."""

from django.utils import timezone

from trialdesk.feasibility import selectors
from trialdesk.feasibility.permissions import can_manage_feasibility


def feasibility_tab(request, study) -> dict:
    return {
        "candidates": selectors.ranking(request.user, study, today=timezone.now().date()),
        "feasibility_templates": list(selectors.templates_for(request.user, study)),
        "my_questionnaires": list(selectors.questionnaires_to_answer(request.user).filter(study=study)),
        "may_manage_feasibility": can_manage_feasibility(request.user, study.pk),
    }
