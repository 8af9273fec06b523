"""App configuration for monitoring: the study's Monitoring and RBQM tabs, the overview's and the site
page's panels, the quality health signal, "my work", `rbqm qtl` and `rbqm signals`, the demo step, the
audit labels (source reviews name a participant: subject-level), scoping cases and routes."""

from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "trialdesk.monitoring"
    label = "monitoring"

    def ready(self):
        from trialdesk.core import extensions as ext
        from trialdesk.monitoring import audit, demo, health, rbqm, work
        from trialdesk.monitoring.views import tabs

        for section in (
            ext.StudySection(
                "monitoring",
                "Monitoring",
                "monitoring/tabs/monitoring.html",
                tabs.monitoring_tab,
                820,
                "Quality",
            ),
            ext.StudySection("rbqm", "RBQM", "monitoring/tabs/rbqm.html", tabs.rbqm_tab, 830, "Quality"),
        ):
            ext.study_sections.register(section)
        ext.study_overview_panels.register(
            ext.Panel("monitoring", "monitoring/panels/study_overview.html", tabs.study_overview_panel, 95)
        )
        ext.site_panels.register(ext.Panel("monitoring", "monitoring/panels/site.html", tabs.site_panel, 40))
        ext.health_signals.register(health.MONITORING)
        for source in work.SOURCES:
            ext.my_work.register(source)
        for action in rbqm.ACTIONS:
            ext.command_actions.register(action)
        ext.demo_loaders.register(
            ext.DemoLoader("monitoring", "Monitoring and RBQM", demo.load, ("safety", "integrations"))
        )
        for object_type, label, subject_level in (
            ("monitoring.monitoringplan", "Monitoring plan", False),
            ("monitoring.tierrule", "Monitoring plan tier rule", False),
            ("monitoring.sitemonitoring", "Site monitoring set-up", False),
            ("monitoring.monitoringvisit", "Monitoring visit", False),
            ("monitoring.visitreport", "Monitoring visit report", False),
            ("monitoring.reportsignature", "Visit report signature", False),
            ("monitoring.sourcereview", "Source data verification", True),
            ("monitoring.finding", "Monitoring finding", False),
            ("monitoring.actionitem", "Action item", False),
            ("monitoring.issue", "Issue", False),
            ("monitoring.risk", "Risk", False),
            ("monitoring.qualitytolerancelimit", "Quality tolerance limit", False),
            ("monitoring.signal", "KRI signal", False),
        ):
            ext.audit_labels.register(ext.AuditLabel(object_type, label, subject_level))
        ext.audit_masks.register(audit.mask_sponsor_side)
        ext.scoping_cases.register("trialdesk.monitoring.tests.scoping")
        ext.routes.register(
            ext.RouteSet("monitoring", "trialdesk.monitoring.urls", "trialdesk.monitoring.api", order=90)
        )
