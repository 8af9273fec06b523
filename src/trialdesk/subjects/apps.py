"""App configuration for subjects (participants)."""

from django.apps import AppConfig


class SubjectsConfig(AppConfig):
    name = "trialdesk.subjects"
    label = "subjects"
