"""App configuration for reporting: what it contributes through core.extensions."""

from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "trialdesk.reporting"
    label = "reporting"

    def ready(self):
        pass
