"""Pages of the studies app: the portfolio, study pages and the study's setup records."""

from django.urls import path

from trialdesk.studies import views
from trialdesk.studies.views import health, saved

urlpatterns = [
    path("", views.portfolio, name="portfolio"),
    path("me/portfolio-views/", saved.portfolio_view_save, name="portfolio_view_save"),
    path(
        "me/portfolio-views/<int:portfolio_view_id>/delete/",
        saved.portfolio_view_delete,
        name="portfolio_view_delete",
    ),
    path("studies/new/", views.study_create, name="study_create"),
    path("studies/<int:study_id>/", views.study_detail, name="study_detail"),
    path("studies/<int:study_id>/edit/", views.study_edit, name="study_edit"),
    path("studies/<int:study_id>/health/", health.study_health, name="study_health"),
    path("studies/<int:study_id>/history/export/", views.study_audit_export, name="study_audit_export"),
    path(
        "studies/<int:study_id>/protocol-versions/new/",
        views.protocol_version_create,
        name="protocol_version_create",
    ),
    path(
        "protocol-versions/<int:protocol_version_id>/edit/",
        views.protocol_version_edit,
        name="protocol_version_edit",
    ),
    path(
        "protocol-versions/<int:protocol_version_id>/status/",
        views.protocol_version_status,
        name="protocol_version_status",
    ),
    path("studies/<int:study_id>/arms/new/", views.arm_create, name="arm_create"),
    path("arms/<int:arm_id>/edit/", views.arm_edit, name="arm_edit"),
    path("studies/<int:study_id>/milestones/new/", views.milestone_create, name="milestone_create"),
    path("milestones/<int:milestone_id>/edit/", views.milestone_edit, name="milestone_edit"),
]
