"""URL map: the pages each app registers, the JSON API under /api/v1/."""

from django.urls import include, path

from trialdesk.api import api
from trialdesk.core import extensions

# Each app registers its pages (core.extensions.routes); they are included in layer order.
# Static files are served before routing, by whitenoise (settings.MIDDLEWARE).
urlpatterns = [
    path("api/v1/", api.urls),
    *(path("", include(routes.urls)) for routes in extensions.routes if routes.urls),
]
