"""App configuration for supply: what it registers in core's extension points."""

from django.apps import AppConfig


class SupplyConfig(AppConfig):
    name = "trialdesk.supply"
    label = "supply"

    def ready(self):
        pass
