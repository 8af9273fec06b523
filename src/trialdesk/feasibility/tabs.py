"""The study page's Feasibility tab (group Sites): the ranked candidate sites with their agreements,
questionnaires, scores, past performance and decisions; the templates; and, for a site's staff, their
own questionnaire to answer."""

from django.utils import timezone

from trialdesk.feasibility import rules, selectors
from trialdesk.feasibility.permissions import can_answer_questionnaire, can_manage_feasibility


def feasibility_tab(request, study) -> dict:
    return {
        "candidates": selectors.ranking(request.user, study, today=timezone.now().date()),
        "feasibility_templates": list(selectors.templates_for(request.user, study)),
        "my_questionnaires": list(selectors.questionnaires_to_answer(request.user).filter(study=study)),
        "may_manage_feasibility": can_manage_feasibility(request.user, study.pk),
    }


def site_panel(request, site) -> dict | None:
    """The site page's Feasibility panel: its questionnaire (status, score), its rank among the study's
    candidates (to the study's CRM only: a site's staff do not see how other sites scored), its
    confidentiality agreement and the selection decision; None for a site that never took part."""
    rows = selectors.ranking(request.user, site.study, today=timezone.now().date())
    row = next((r for r in rows if r.site.pk == site.pk), None)
    if row is None or (row.agreement is None and row.questionnaire is None and row.decision is None):
        return None
    manages = can_manage_feasibility(request.user, site.study_id)
    return {
        "row": row,
        "ranked": sum(1 for r in rows if r.rank is not None),
        "show_rank": manages,
        "may_decide": manages and row.decision is None,
        "may_answer": (
            row.questionnaire is not None
            and row.questionnaire.status != rules.SUBMITTED
            and can_answer_questionnaire(request.user, row.questionnaire)
        ),
    }
