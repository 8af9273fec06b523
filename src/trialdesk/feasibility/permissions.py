"""Who may change feasibility records: the study's CRM runs the round (templates, weights, agreements,
questionnaires sent, decisions); a candidate site's own coordinators and investigators answer its
questionnaire. Reads follow scoping (a site's staff see only their own site's records)."""

from trialdesk.core.permissions import can_manage_study, can_work_at_site

ONLY_CRM = (
    "Only the study's CRM runs feasibility: templates, weights, agreements, questionnaires and decisions."
)
ONLY_SITE_STAFF = (
    "Only the site's own coordinators and investigators (or the study's CRM) answer its questionnaire."
)


def can_manage_feasibility(user, study_id: int) -> bool:
    return can_manage_study(user, study_id)


def can_answer_questionnaire(user, questionnaire) -> bool:
    return can_work_at_site(user, study_id=questionnaire.study_id, study_site_id=questionnaire.study_site_id)
