"""App configuration for sites."""

from django.apps import AppConfig


class SitesConfig(AppConfig):
    name = "trialdesk.sites"
    label = "sites"
