"""App configuration for startup: the activation and closure gates on a site's status, the tracker on
the site page and the study's Start-up tab, the study report's section, the demo, pages and API."""

from django.apps import AppConfig


class StartupConfig(AppConfig):
    name = "trialdesk.startup"
    label = "startup"

    def ready(self):
        from trialdesk.core import extensions as ext
        from trialdesk.startup import closeout, demo, selectors

        # By dotted path: the tabs and the report draw charts (altair), which start-up need not import
        # (trialdesk.cli).
        tabs, report = "trialdesk.startup.tabs", "trialdesk.startup.report"

        ext.site_status_gates.register(
            ext.Gate("startup", selectors.gate_refusal, "status", check_many=selectors.gate_refusals)
        )
        ext.site_panels.register(
            ext.Panel("startup", "startup/panels/site.html", ext.lazy(f"{tabs}.site_panel"), 15)
        )
        ext.study_sections.register(
            ext.StudySection(
                "startup",
                "Start-up & close-out",
                "startup/tabs/startup.html",
                ext.lazy(f"{tabs}.startup_tab"),
                55,
                "Sites",
            )
        )
        ext.study_sections.register(
            ext.StudySection(
                "closeout",
                "End of trial & results",
                "startup/tabs/closeout.html",
                ext.lazy(f"{tabs}.closeout_tab"),
                45,
                "Regulatory",
            )  # fmt: skip
        )
        ext.record_listeners.register(closeout.LISTENER)
        ext.report_sections.register(
            ext.ReportSection("startup", "Site start-up", ext.lazy(f"{report}.study_block"), order=350)
        )
        ext.demo_site_steps.register(ext.Hook("startup", demo.site_step, order=5))
        ext.demo_loaders.register(
            ext.DemoLoader("startup", "Start-up trackers and close-out", demo.load, ("sites", "monitoring"))
        )
        for object_type, label in (
            ("startup.checklisttick", "Checklist item ticked"),
            ("startup.studychecklistitem", "Study checklist item"),
            ("startup.gateoverride", "Gate override"),
            ("startup.cycletarget", "Cycle-time target"),
        ):
            ext.audit_labels.register(ext.AuditLabel(object_type, label))
        ext.routes.register(
            ext.RouteSet("startup", "trialdesk.startup.urls", "trialdesk.startup.api", order=88)
        )
        ext.scoping_cases.register("trialdesk.startup.tests.scoping")
