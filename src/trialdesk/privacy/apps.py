"""App configuration for privacy: what it contributes through core.extensions."""

from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "trialdesk.privacy"
    label = "privacy"

    def ready(self):
        pass
