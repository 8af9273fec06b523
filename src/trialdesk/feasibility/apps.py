"""App configuration for feasibility: what it registers in core's extension points."""

from django.apps import AppConfig


class FeasibilityConfig(AppConfig):
    name = "trialdesk.feasibility"
    label = "feasibility"

    def ready(self):
        pass
