"""Pages of the integrations app: bulk imports and Excel exports, the registry panel's forms."""

from django.urls import include, path

urlpatterns = [
    path("", include("trialdesk.integrations.bulk.urls")),
    path("", include("trialdesk.integrations.registry.urls")),
    path("", include("trialdesk.integrations.fhir.urls")),
    path("", include("trialdesk.integrations.odm.urls")),
]
