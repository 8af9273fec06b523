"""Pages of randomization: a study's scheme, list and unblinded access; a participant's allocation."""

from django.urls import path

from trialdesk.randomization import views

urlpatterns = [
    path(
        "studies/<int:study_id>/randomization/scheme/new/",
        views.scheme_create,
        name="randomization_scheme_create",
    ),
    path(
        "studies/<int:study_id>/randomization/scheme/edit/",
        views.scheme_edit,
        name="randomization_scheme_edit",
    ),
    path(
        "studies/<int:study_id>/randomization/scheme/activate/",
        views.scheme_activate,
        name="randomization_scheme_activate",
    ),
    path("studies/<int:study_id>/randomization/list/", views.randomization_list, name="randomization_list"),
    path(
        "studies/<int:study_id>/randomization/access/new/",
        views.access_grant,
        name="unblinded_access_grant",
    ),
    path(
        "studies/<int:study_id>/randomization/access/revoke/",
        views.access_revoke,
        name="unblinded_access_revoke",
    ),
    path(
        "studies/<int:study_id>/randomization/notifications/read/",
        views.notifications_read,
        name="randomization_notifications_read",
    ),
    path(
        "participants/<int:participant_id>/randomization/",
        views.participant_randomization,
        name="participant_randomization",
    ),
    path("participants/<int:participant_id>/unblind/", views.participant_unblind, name="participant_unblind"),
]
