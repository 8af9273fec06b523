"""Pages of the integrations app: bulk imports and Excel exports, the registry panel's forms."""

from django.urls import include, path

from trialdesk.integrations import views_exchange

urlpatterns = [
    path("", include("trialdesk.integrations.urls_bulk")),
    path("", include("trialdesk.integrations.registry_urls")),
    path("", include("trialdesk.integrations.fhir.urls")),
    path("studies/<int:study_id>/export/odm.xml", views_exchange.odm_download, name="study_odm_download"),
]
