"""App configuration for the core app: its pages and API, the demo's logins, its records' labels."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "trialdesk.core"
    label = "core"
    verbose_name = "Trialdesk core"

    def ready(self):
        from trialdesk.core import demo, health
        from trialdesk.core import extensions as ext

        ext.demo_loaders.register(ext.DemoLoader("people", "People", demo.load_people))
        # Study- and site-level roles need the studies and sites of the steps above.
        ext.demo_loaders.register(
            ext.DemoLoader("assignments", "Role assignments", demo.assign_people, ("sites",))
        )
        for object_type, label in (
            ("core.user", "Account"),
            ("core.roleassignment", "Role"),
            ("core.apitoken", "API token"),
        ):
            ext.audit_labels.register(ext.AuditLabel(object_type, label))
        # Health at a glance heads the study overview; the apps register the signals it reads.
        ext.study_overview_panels.register(
            ext.Panel("health", "core/panels/health.html", health.health_panel, 5)
        )
        ext.site_panels.register(ext.Panel("health", "core/panels/health.html", health.site_health_panel, 5))
        ext.routes.register(ext.RouteSet("core", "trialdesk.core.urls", "trialdesk.core.api", order=10))
        ext.scoping_cases.register("trialdesk.core.tests.scoping_tasks")
