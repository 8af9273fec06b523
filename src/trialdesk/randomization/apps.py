"""App configuration for randomization."""

from django.apps import AppConfig


class RandomizationConfig(AppConfig):
    name = "trialdesk.randomization"
    label = "randomization"
