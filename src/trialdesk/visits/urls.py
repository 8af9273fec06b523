"""Pages of the visits app: schedules of activities, participants' visits, missed visits, deviations."""

from django.urls import path

from trialdesk.visits import views

urlpatterns = [
    path(
        "protocol-versions/<int:protocol_version_id>/schedule/", views.visit_schedule, name="visit_schedule"
    ),
    path(
        "protocol-versions/<int:protocol_version_id>/schedule/new/",
        views.visit_definition_create,
        name="visit_definition_create",
    ),
    path(
        "visit-definitions/<int:visit_definition_id>/edit/",
        views.visit_definition_edit,
        name="visit_definition_edit",
    ),
    path("participants/<int:participant_id>/visits/", views.participant_visits, name="participant_visits"),
    path(
        "participants/<int:participant_id>/visits/record/",
        views.participant_visit_record,
        name="participant_visit_record",
    ),
    path(
        "participants/<int:participant_id>/visits/schedule/",
        views.participant_visit_schedule,
        name="participant_visit_schedule",
    ),
    path("studies/<int:study_id>/missed-visits/", views.missed_visits, name="missed_visits"),
    path("studies/<int:study_id>/deviations/", views.deviation_list, name="deviation_list"),
    path("studies/<int:study_id>/deviations/new/", views.deviation_create, name="deviation_create"),
    path("deviations/<int:deviation_id>/edit/", views.deviation_edit, name="deviation_edit"),
    path("deviations/<int:deviation_id>/review/", views.deviation_review, name="deviation_review"),
]
