"""Pages of the People directory and the study Team tab's grant form."""

from django.urls import path

from trialdesk.people.directory import team, views

urlpatterns = [
    path("people/", views.people_page, name="people"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:user_id>/", views.person_detail, name="person_detail"),
    path("people/<int:user_id>/roles/", views.person_role_grant, name="person_role_grant"),
    path(
        "people/<int:user_id>/roles/<int:role_assignment_id>/revoke/",
        views.person_role_revoke,
        name="person_role_revoke",
    ),
    path("people/<int:user_id>/deactivate/", views.person_deactivate, name="person_deactivate"),
    path("people/<int:user_id>/reactivate/", views.person_reactivate, name="person_reactivate"),
    path("people/<int:user_id>/password/", views.person_password_reset, name="person_password_reset"),
    path("studies/<int:study_id>/team/", team.study_team_grant, name="study_team_grant"),
]
