"""App configuration for visits (schedules of activities, participants' visits, protocol deviations)."""

from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "trialdesk.visits"
    label = "visits"
