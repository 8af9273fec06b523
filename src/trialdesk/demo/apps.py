"""App configuration for the demo: `trialdesk demo`, which runs every app's registered demo step."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "trialdesk.demo"
    label = "demo"
    verbose_name = "Trialdesk demo portfolio"
