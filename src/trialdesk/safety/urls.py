"""Pages of the safety app."""

from django.urls import path

from trialdesk.safety.views import adverse_events, calendar, obligations, records, study_settings

urlpatterns = [
    path(
        "studies/<int:study_id>/adverse-events/new/",
        adverse_events.adverse_event_create,
        name="adverse_event_create",
    ),
    path("studies/<int:study_id>/line-listing/", adverse_events.line_listing, name="line_listing"),
    path(
        "studies/<int:study_id>/safety-settings/",
        study_settings.safety_settings_edit,
        name="safety_settings_edit",
    ),
    path(
        "studies/<int:study_id>/committee-policies/new/",
        study_settings.committee_policy_create,
        name="committee_policy_create",
    ),
    path(
        "studies/<int:study_id>/reporting-exemptions/new/",
        study_settings.protocol_exemption_create,
        name="protocol_exemption_create",
    ),
    path(
        "studies/<int:study_id>/reference-safety-information/new/",
        study_settings.reference_safety_information_create,
        name="reference_safety_information_create",
    ),
    path(
        "adverse-events/<int:adverse_event_id>/",
        adverse_events.adverse_event_detail,
        name="adverse_event_detail",
    ),
    path(
        "adverse-events/<int:adverse_event_id>/follow-up/",
        adverse_events.adverse_event_follow_up,
        name="adverse_event_follow_up",
    ),
    path("obligations/<int:obligation_id>/submit/", obligations.obligation_submit, name="obligation_submit"),
    path("obligations/<int:obligation_id>/records/", records.obligation_records, name="obligation_records"),
    path(
        "obligation-attachments/<int:attachment_id>/",
        records.obligation_attachment,
        name="obligation_attachment",
    ),
    path("adverse-events/<int:adverse_event_id>/cioms.pdf", records.cioms_pdf, name="adverse_event_cioms"),
    path("safety/obligations/", obligations.obligations_board, name="obligations_board"),
    path("safety/ctcae/", adverse_events.ctcae_suggestions, name="ctcae_suggestions"),
    path("me/calendar/", calendar.calendar_settings, name="calendar_settings"),
    path("calendar/<str:token>.ics", calendar.calendar_feed, name="calendar_feed"),
]
