"""URL map: pages from each app, the JSON API under /api/v1/."""

from django.urls import include, path

from trialdesk.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("trialdesk.core.urls")),
    path("", include("trialdesk.studies.urls")),
    path("", include("trialdesk.sites.urls")),
]
