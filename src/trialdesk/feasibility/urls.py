"""Pages of the feasibility app."""

from django.urls import path

from trialdesk.feasibility import views

urlpatterns = [
    path(
        "studies/<int:study_id>/feasibility/templates/new/",
        views.template_create,
        name="feasibility_template_create",
    ),
    path("studies/<int:study_id>/feasibility/send/", views.questionnaire_send, name="feasibility_send"),
    path(
        "studies/<int:study_id>/feasibility/ranking.xlsx",
        views.ranking_export,
        name="feasibility_ranking_export",
    ),
    path(
        "feasibility-templates/<int:feasibility_template_id>/",
        views.template_detail,
        name="feasibility_template",
    ),
    path(
        "feasibility-templates/<int:feasibility_template_id>/questions/new/",
        views.question_create,
        name="feasibility_question_create",
    ),
    path(
        "feasibility-questions/<int:feasibility_question_id>/edit/",
        views.question_edit,
        name="feasibility_question_edit",
    ),
    path(
        "study-sites/<int:study_site_id>/feasibility/agreement/",
        views.agreement_sent,
        name="feasibility_agreement_sent",
    ),
    path(
        "feasibility-agreements/<int:feasibility_agreement_id>/executed/",
        views.agreement_executed,
        name="feasibility_agreement_executed",
    ),
    path(
        "feasibility-questionnaires/<int:feasibility_questionnaire_id>/",
        views.questionnaire_answer,
        name="feasibility_questionnaire",
    ),
    path(
        "feasibility-questionnaires/<int:feasibility_questionnaire_id>/reopen/",
        views.questionnaire_reopen,
        name="feasibility_questionnaire_reopen",
    ),
    path(
        "study-sites/<int:study_site_id>/selection-decision/",
        views.selection_decision,
        name="feasibility_decision",
    ),
]
