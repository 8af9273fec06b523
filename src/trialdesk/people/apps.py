"""App configuration for people."""

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "trialdesk.people"
    label = "people"
