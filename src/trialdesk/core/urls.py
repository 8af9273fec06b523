"""Pages of the core app: signing in and out, the user's own page, and the People pages."""

from django.urls import path

from trialdesk.core import views

urlpatterns = [
    path("login/", views.sign_in_page, name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("me/", views.my_page, name="me"),
    path("me/tokens/<int:token_id>/revoke/", views.revoke_token, name="api_token_revoke"),
    path("me/password/", views.change_password, name="password_change"),
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
]
