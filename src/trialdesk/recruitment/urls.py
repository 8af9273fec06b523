"""Pages of recruitment: eligibility criteria, retention, each site's pre-screening pool, candidates."""

from django.urls import path

from trialdesk.recruitment import views

urlpatterns = [
    path(
        "studies/<int:study_id>/eligibility/criteria/new/",
        views.criterion_create,
        name="recruitment_criterion_create",
    ),
    path(
        "studies/<int:study_id>/eligibility/import/",
        views.criteria_import,
        name="recruitment_criteria_import",
    ),
    path("studies/<int:study_id>/eligibility/retention/", views.retention_edit, name="recruitment_retention"),
    path(
        "eligibility-criteria/<int:criterion_id>/edit/",
        views.criterion_edit,
        name="recruitment_criterion_edit",
    ),
    path(
        "eligibility-criteria/<int:criterion_id>/confirm/",
        views.criterion_confirm,
        name="recruitment_criterion_confirm",
    ),
    path("study-sites/<int:study_site_id>/prescreening/", views.site_pool, name="recruitment_site_pool"),
    path(
        "study-sites/<int:study_site_id>/prescreening/template.csv",
        views.pool_template,
        name="recruitment_pool_template",
    ),
    path("prescreening-candidates/<int:candidate_id>/", views.candidate_detail, name="recruitment_candidate"),
]
