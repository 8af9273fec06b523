"""App configuration for safety."""

from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "trialdesk.safety"
    label = "safety"
