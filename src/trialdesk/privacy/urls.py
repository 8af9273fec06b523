"""Pages of the privacy app."""

from django.urls import path

from trialdesk.privacy import views

urlpatterns = [
    path("privacy/", views.overview, name="privacy_overview"),
    path("studies/<int:study_id>/privacy/settings/", views.settings_edit, name="privacy_settings"),
    path("studies/<int:study_id>/privacy/purposes/new/", views.purpose_create, name="privacy_purpose_create"),
    path(
        "studies/<int:study_id>/privacy/safeguards/new/",
        views.safeguard_create,
        name="privacy_safeguard_create",
    ),
    path("studies/<int:study_id>/privacy/holds/", views.holds, name="privacy_holds"),
    path("studies/<int:study_id>/privacy/requests/", views.request_log, name="privacy_requests"),
    path("studies/<int:study_id>/privacy/scan/", views.identifier_scan, name="privacy_scan"),
    path("legal-holds/<int:legal_hold_id>/lift/", views.hold_lift, name="privacy_hold_lift"),
    path(
        "data-subject-requests/<int:data_subject_request_id>/", views.request_detail, name="privacy_request"
    ),
    path(
        "data-subject-requests/<int:data_subject_request_id>/close/",
        views.request_close,
        name="privacy_request_close",
    ),
    path(
        "data-subject-requests/<int:data_subject_request_id>/extend/",
        views.request_extend,
        name="privacy_request_extend",
    ),
    path(
        "data-subject-requests/<int:data_subject_request_id>/export.json",
        views.request_export,
        {"fmt": "json"},
        name="privacy_request_export_json",
    ),
    path(
        "data-subject-requests/<int:data_subject_request_id>/export.pdf",
        views.request_export,
        {"fmt": "pdf"},
        name="privacy_request_export_pdf",
    ),
]
