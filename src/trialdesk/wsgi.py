"""WSGI entry point for production servers (`trialdesk serve` runs it under gunicorn)."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trialdesk.settings")
application = get_wsgi_application()
# Load every page's and the API's modules now, so that with gunicorn's --preload the workers are forked
# with them imported and no worker's first request pays for them.
_ = get_resolver().url_patterns
