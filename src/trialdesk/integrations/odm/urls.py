"""Page URLs of the CDISC ODM exchange: the study's ODM file download."""

from django.urls import path

from trialdesk.integrations.odm import views

urlpatterns = [
    path("studies/<int:study_id>/export/odm.xml", views.odm_download, name="study_odm_download"),
]
