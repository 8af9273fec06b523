"""Pages of the startup app: ticking a checklist item and signing a gate override."""

from django.urls import path

from trialdesk.startup import views

urlpatterns = [
    path("study-sites/<int:study_site_id>/startup/tick/", views.tick, name="startup_tick"),
    path("study-sites/<int:study_site_id>/startup/override/", views.override, name="startup_override"),
]
