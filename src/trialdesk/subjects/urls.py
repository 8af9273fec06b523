"""Pages of the subjects app: screening logs, consent versions, participants and the diversity plan."""

from django.urls import path

from trialdesk.subjects import views

urlpatterns = [
    path("study-sites/<int:study_site_id>/screening/", views.screening_log, name="screening_log"),
    path(
        "screening-entries/<int:screening_entry_id>/edit/",
        views.screening_entry_edit,
        name="screening_entry_edit",
    ),
    path(
        "screening-entries/<int:screening_entry_id>/consent/",
        views.screening_consent,
        name="screening_consent",
    ),
    path("screening-entries/<int:screening_entry_id>/enroll/", views.enroll, name="enroll"),
    path("participants/<int:participant_id>/", views.participant_detail, name="participant_detail"),
    path("participants/<int:participant_id>/consent/", views.participant_consent, name="participant_consent"),
    path(
        "participants/<int:participant_id>/withdrawal/",
        views.participant_withdrawal,
        name="participant_withdrawal",
    ),
    path("participants/<int:participant_id>/status/", views.participant_status, name="participant_status"),
    path(
        "participants/<int:participant_id>/demographics/",
        views.participant_demographics,
        name="participant_demographics",
    ),
    path(
        "studies/<int:study_id>/consent-versions/new/",
        views.consent_version_create,
        name="consent_version_create",
    ),
    path(
        "consent-versions/<int:consent_version_id>/",
        views.consent_version_detail,
        name="consent_version_detail",
    ),
    path(
        "consent-versions/<int:consent_version_id>/edit/",
        views.consent_version_edit,
        name="consent_version_edit",
    ),
    path(
        "consent-versions/<int:consent_version_id>/approvals/new/",
        views.consent_approval_create,
        name="consent_approval_create",
    ),
    path(
        "studies/<int:study_id>/diversity-targets/new/",
        views.diversity_target_create,
        name="diversity_target_create",
    ),
    path(
        "diversity-targets/<int:diversity_target_id>/edit/",
        views.diversity_target_edit,
        name="diversity_target_edit",
    ),
    path(
        "diversity-targets/<int:diversity_target_id>/delete/",
        views.diversity_target_delete,
        name="diversity_target_delete",
    ),
]
