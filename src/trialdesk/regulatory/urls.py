"""Pages of the regulatory app."""

from django.urls import path

from trialdesk.regulatory import views

urlpatterns = [
    path("ethics-committees/", views.committee_list, name="committee_list"),
    path("ethics-committees/new/", views.committee_create, name="committee_create"),
    path("ethics-committees/<int:ethics_committee_id>/edit/", views.committee_edit, name="committee_edit"),
    path("studies/<int:study_id>/submissions/new/", views.submission_create, name="submission_create"),
    path("submissions/<int:submission_id>/decision/", views.submission_decision, name="submission_decision"),
    path(
        "protocol-versions/<int:protocol_version_id>/amendment/",
        views.amendment_start,
        name="amendment_start",
    ),
    path("amendments/<int:amendment_id>/tick/", views.amendment_tick, name="amendment_tick"),
    path(
        "amendments/<int:amendment_id>/deviations/", views.amendment_deviations, name="amendment_deviations"
    ),
]
