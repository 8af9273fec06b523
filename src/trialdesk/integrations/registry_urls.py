"""Page URLs of the registry work."""

from django.urls import path

from trialdesk.integrations import registry_views

urlpatterns = [
    path("studies/<int:study_id>/registry/facts/", registry_views.registry_facts, name="registry_facts"),
]
