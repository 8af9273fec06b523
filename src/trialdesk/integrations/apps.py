"""App configuration for integrations: the Registry tab, imports and exports, the demo's registry record."""

from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "trialdesk.integrations"
    label = "integrations"

    def ready(self):
        from trialdesk.core import extensions as ext
        from trialdesk.integrations.registry import demo
        from trialdesk.integrations.registry import views as registry_views

        ext.study_sections.register(
            ext.StudySection(
                "registry",
                "Registry",
                "integrations/tabs/registry.html",
                registry_views.registry_tab,
                700,
                "Regulatory",
            )
        )
        ext.demo_loaders.register(ext.DemoLoader("integrations", "Registry records", demo.load, ("safety",)))
        for object_type, label in (
            ("integrations.registryrecord", "Registry record"),
            ("integrations.registrysnapshot", "Registry snapshot"),
        ):
            ext.audit_labels.register(ext.AuditLabel(object_type, label))
        ext.routes.register(
            ext.RouteSet(
                "integrations", "trialdesk.integrations.urls", "trialdesk.integrations.api", order=120
            )
        )
        ext.scoping_cases.register("trialdesk.integrations.tests.scoping")
