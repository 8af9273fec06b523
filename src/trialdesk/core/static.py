"""Static files served by the application: whitenoise, which in development and the tests finds the files
in the apps, and under `trialdesk serve` serves those collected into STATIC_ROOT with hashed names."""

import os

from django.conf import settings
from whitenoise.middleware import WhiteNoiseMiddleware


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """whitenoise, without its warning about a STATIC_ROOT not collected yet when the files are found in
    the apps instead (development, `trialdesk runserver`, the tests)."""

    def add_files(self, root, prefix=None):
        if settings.WHITENOISE_USE_FINDERS and str(root) == str(self.static_root) and not os.path.isdir(root):
            return
        super().add_files(root, prefix)
