"""App configuration for incidents: its study tab, pages and API, its notifications on the obligations
board and in "my work", the demo's breach, and which of its records are subject-level."""

from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "trialdesk.incidents"
    label = "incidents"

    def ready(self):
        from trialdesk.core import extensions as ext
        from trialdesk.incidents import demo, tabs, work

        ext.study_sections.register(
            ext.StudySection(
                "incidents", "Incidents", "incidents/tabs/incidents.html", tabs.incidents_tab, 320, "Safety"
            )
        )
        ext.obligations_board_panels.register(work.BOARD_PANEL)
        ext.my_work.register(work.NOTIFICATIONS)
        ext.demo_loaders.register(
            ext.DemoLoader("incidents", "A personal data breach and its clocks", demo.load, ("safety",))
        )
        for object_type, label in (
            ("incidents.incident", "Incident"),
            ("incidents.incidentobligation", "Incident notification"),
        ):
            ext.audit_labels.register(ext.AuditLabel(object_type, label, subject_level=True))
        ext.routes.register(
            ext.RouteSet("incidents", "trialdesk.incidents.urls", "trialdesk.incidents.api", order=85)
        )
        ext.scoping_cases.register("trialdesk.incidents.tests.scoping")
