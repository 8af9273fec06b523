"""App configuration for startup: what it registers in core's extension points."""

from django.apps import AppConfig


class StartupConfig(AppConfig):
    name = "trialdesk.startup"
    label = "startup"

    def ready(self):
        pass
