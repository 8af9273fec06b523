"""Page URLs of the FHIR exchange: the study's Bundle download."""

from django.urls import path

from trialdesk.integrations.fhir import views

urlpatterns = [
    path("studies/<int:study_id>/export/fhir.json", views.fhir_download, name="study_fhir_download"),
]
