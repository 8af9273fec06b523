"""App configuration for samples: what it registers in core's extension points."""

from django.apps import AppConfig


class SamplesConfig(AppConfig):
    name = "trialdesk.samples"
    label = "samples"

    def ready(self):
        pass
