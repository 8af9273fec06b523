"""Pages of the core app: signing in and out, the user's own page and their work."""

from django.urls import path
from django.views.i18n import set_language

from trialdesk.core import probes, search, task_pages, views, work

urlpatterns = [
    path("healthz", probes.healthz, name="healthz"),
    path("readyz", probes.readyz, name="readyz"),
    path("login/", views.sign_in_page, name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("me/", views.my_page, name="me"),
    path("my-work/", work.my_work, name="my_work"),
    path("search/", search.search_page, name="search"),
    path("tasks/<int:task_id>/", task_pages.task_page, name="task_page"),
    path("tasks/<int:task_id>/file", task_pages.task_file, name="task_file"),
    path("me/tokens/<int:token_id>/revoke/", views.revoke_token, name="api_token_revoke"),
    path("me/password/", views.change_password, name="password_change"),
    path("me/preferences/", views.change_preferences, name="preferences_change"),
    # The sign-in page's language picker (a cookie; a signed-in person's own choice beats it).
    path("me/language/", set_language, name="set_language"),
]
