"""URL map: pages from each app, the JSON API under /api/v1/."""

import os

from django.conf import settings
from django.contrib.staticfiles.views import serve
from django.urls import include, path

from trialdesk.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("trialdesk.core.urls")),
    path("", include("trialdesk.studies.urls")),
    path("", include("trialdesk.sites.urls")),
    path("", include("trialdesk.statistics.urls")),
    path("", include("trialdesk.subjects.urls")),
    path("", include("trialdesk.randomization.urls")),
    path("", include("trialdesk.visits.urls")),
    path("", include("trialdesk.safety.urls")),
    path("", include("trialdesk.regulatory.urls")),
    path("", include("trialdesk.documents.urls")),
    path("", include("trialdesk.people.urls")),
    path("", include("trialdesk.integrations.urls")),
]

# Static files (htmx, the stylesheet, the API docs' Swagger UI). With DEBUG on, runserver's staticfiles
# app serves them. With DEBUG off (a plain `trialdesk runserver`, a single-process install, the tests)
# nothing else would, so Django serves them here through the staticfiles finders (which hand the file
# to django.views.static.serve); a deployment with a web server or CDN in front of Trialdesk sets
# TRIALDESK_SERVE_STATIC=0 to leave this route out.
if not settings.DEBUG and os.environ.get("TRIALDESK_SERVE_STATIC", "1") != "0":
    urlpatterns += [
        path(
            f"{settings.STATIC_URL.strip('/')}/<path:path>",
            serve,
            {"insecure": True},
        )
    ]
