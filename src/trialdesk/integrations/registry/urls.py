"""Page URLs of the registry work."""

from django.urls import path

from trialdesk.integrations.registry import views

urlpatterns = [
    path("studies/<int:study_id>/registry/facts/", views.registry_facts, name="registry_facts"),
]
