"""Pages of the safety app."""

from django.urls import path

from trialdesk.safety import views

urlpatterns = [
    path(
        "studies/<int:study_id>/adverse-events/new/", views.adverse_event_create, name="adverse_event_create"
    ),
    path("studies/<int:study_id>/line-listing/", views.line_listing, name="line_listing"),
    path("studies/<int:study_id>/safety-settings/", views.safety_settings_edit, name="safety_settings_edit"),
    path(
        "studies/<int:study_id>/committee-policies/new/",
        views.committee_policy_create,
        name="committee_policy_create",
    ),
    path(
        "studies/<int:study_id>/reference-safety-information/new/",
        views.reference_safety_information_create,
        name="reference_safety_information_create",
    ),
    path("adverse-events/<int:adverse_event_id>/", views.adverse_event_detail, name="adverse_event_detail"),
    path(
        "adverse-events/<int:adverse_event_id>/follow-up/",
        views.adverse_event_follow_up,
        name="adverse_event_follow_up",
    ),
    path("obligations/<int:obligation_id>/submit/", views.obligation_submit, name="obligation_submit"),
    path("safety/obligations/", views.obligations_board, name="obligations_board"),
    path("safety/ctcae/", views.ctcae_suggestions, name="ctcae_suggestions"),
    path("me/calendar/", views.calendar_settings, name="calendar_settings"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
