"""URL map: the pages each app registers, the JSON API under /api/v1/."""

import os

from django.conf import settings
from django.contrib.staticfiles.views import serve
from django.urls import include, path

from trialdesk.api import api
from trialdesk.core import extensions

# Each app registers its pages (core.extensions.routes); they are included in layer order.
urlpatterns = [
    path("api/v1/", api.urls),
    *(path("", include(routes.urls)) for routes in extensions.routes if routes.urls),
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
