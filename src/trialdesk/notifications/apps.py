"""App configuration for notifications: what it contributes through core.extensions."""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "trialdesk.notifications"
    label = "notifications"

    def ready(self):
        pass
