"""App configuration for reporting: the stakeholder reports' pages and command, and the report sections
Trialdesk ships (reporting.sections), registered in core.extensions.report_sections; and the listener that
keeps each study's stored forecast and health current as its data change (reporting.freshness)."""

from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "trialdesk.reporting"
    label = "reporting"

    def ready(self):
        from trialdesk.core import extensions as ext
        from trialdesk.reporting import freshness, sections, site_panel
        from trialdesk.studies.models import Study

        sections.register()
        ext.record_listeners.register(freshness.LISTENER)
        ext.site_panels.register(ext.Panel("summary", "reporting/panels/site.html", site_panel.site_panel, 7))
        ext.demo_loaders.register(
            ext.DemoLoader(
                "stored_estimates",
                "Estimates at completion for the portfolio report",
                lambda demo: freshness.refresh_estimates(Study.objects.all()),
                ("*",),
            )
        )
        ext.routes.register(ext.RouteSet("reporting", "trialdesk.reporting.urls", "", order=95))
