"""App configuration for regulatory."""

from django.apps import AppConfig


class RegulatoryConfig(AppConfig):
    name = "trialdesk.regulatory"
    label = "regulatory"
