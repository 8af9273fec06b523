"""App configuration for privacy (issue 20): the Data protection tab, the data protection officer's
"my work", the demo's register and request, the audit labels, the pages and the API."""

from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "trialdesk.privacy"
    label = "privacy"

    def ready(self):
        from trialdesk.privacy import registrations

        registrations.register_all()
