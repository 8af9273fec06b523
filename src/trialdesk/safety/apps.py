"""App configuration for safety: the Safety and SUSAR tabs, the portfolio's obligation counts, the demo's
adverse events, and which safety records are subject-level."""

from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "trialdesk.safety"
    label = "safety"

    def ready(self):
        from trialdesk.core import extensions as ext
        from trialdesk.safety import demo, health, kris, selectors, tabs, work

        for section in (
            ext.StudySection("safety", "Safety", "safety/tabs/safety.html", tabs.safety_tab, 300, "Safety"),
            ext.StudySection("susars", "SUSARs", "safety/tabs/susars.html", tabs.susars_tab, 310, "Safety"),
        ):
            ext.study_sections.register(section)
        ext.portfolio_panels.register(
            ext.Panel(
                "safety",
                "safety/panels/portfolio.html",
                lambda request: selectors.board_counts(request.user),
                10,
            )
        )
        ext.health_signals.register(health.SAFETY)
        ext.kris.register(ext.KriSource("safety", kris.DEFINITIONS, kris.counts, order=30))
        ext.my_work.register(work.OBLIGATIONS)
        ext.demo_loaders.register(
            ext.DemoLoader("safety", "Adverse events and reporting obligations", demo.load, ("regulatory",))
        )
        for object_type, label, subject_level in (
            ("safety.studysafetysettings", "Safety settings", False),
            ("safety.referencesafetyinformation", "Reference safety information", False),
            ("safety.committeereportingpolicy", "Committee reporting policy", False),
            ("safety.adverseevent", "Adverse event", True),
            ("safety.adverseeventversion", "Adverse event follow-up", True),
            ("safety.reportingobligation", "Reporting obligation", True),
            ("safety.calendarfeed", "Calendar feed", False),
        ):
            ext.audit_labels.register(ext.AuditLabel(object_type, label, subject_level))
        ext.routes.register(ext.RouteSet("safety", "trialdesk.safety.urls", "trialdesk.safety.api", order=80))
        ext.scoping_cases.register("trialdesk.safety.tests.scoping")
