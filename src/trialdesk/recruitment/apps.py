"""App configuration for recruitment: what it contributes through core.extensions."""

from django.apps import AppConfig


class RecruitmentConfig(AppConfig):
    name = "trialdesk.recruitment"
    label = "recruitment"

    def ready(self):
        pass
