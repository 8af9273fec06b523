"""App configuration for notifications: its pages and API, its demo step and its scoping cases."""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "trialdesk.notifications"
    label = "notifications"

    def ready(self):
        from trialdesk.core import extensions as ext
        from trialdesk.notifications import demo

        ext.routes.register(
            ext.RouteSet(
                "notifications", "trialdesk.notifications.urls", "trialdesk.notifications.api", order=15
            )
        )
        ext.demo_loaders.register(
            ext.DemoLoader("notifications", "Notifications for the demo users", demo.load, after=demo.AFTER)
        )
        ext.scoping_cases.register("trialdesk.notifications.tests.scoping")
