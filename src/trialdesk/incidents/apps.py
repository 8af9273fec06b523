"""App configuration for incidents: what it contributes through core.extensions."""

from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "trialdesk.incidents"
    label = "incidents"

    def ready(self):
        pass
