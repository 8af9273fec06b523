"""App configuration for statistics."""

from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "trialdesk.statistics"
    label = "statistics"
