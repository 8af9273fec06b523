"""Pages of the incidents app."""

from django.urls import path

from trialdesk.incidents import views

urlpatterns = [
    path("studies/<int:study_id>/incidents/", views.incident_list, name="incident_list"),
    path("studies/<int:study_id>/incidents/new/", views.incident_create, name="incident_create"),
    path("incidents/<int:incident_id>/", views.incident_detail, name="incident_detail"),
    path("incidents/<int:incident_id>/edit/", views.incident_edit, name="incident_edit"),
    path(
        "incident-obligations/<int:incident_obligation_id>/met/",
        views.incident_obligation_met,
        name="incident_obligation_met",
    ),
]
