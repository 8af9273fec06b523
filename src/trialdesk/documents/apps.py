"""App configuration for documents."""

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "trialdesk.documents"
    label = "documents"
