"""App configuration for feasibility: its study tab (group Sites), pages and API, "my work" items for
site staff (questionnaires to answer) and CRMs (answers to review), the demo's feasibility round, audit
labels and scoping cases."""

from django.apps import AppConfig


class FeasibilityConfig(AppConfig):
    name = "trialdesk.feasibility"
    label = "feasibility"

    def ready(self):
        from trialdesk.core import extensions as ext
        from trialdesk.feasibility import demo, tabs, work

        ext.study_sections.register(
            ext.StudySection(
                "feasibility",
                "Feasibility",
                "feasibility/tabs/feasibility.html",
                tabs.feasibility_tab,
                205,
                "Sites",
            )
        )
        ext.site_panels.register(
            ext.Panel("feasibility", "feasibility/panels/site.html", tabs.site_panel, 12)
        )
        ext.demo_site_steps.register(ext.Hook("feasibility", demo.site_step, order=4))
        ext.my_work.register(work.TO_ANSWER)
        ext.my_work.register(work.TO_SCORE)
        ext.demo_loaders.register(
            ext.DemoLoader(
                "feasibility", "A feasibility round and a selection decision", demo.load, ("assignments",)
            )
        )
        for object_type, label in (
            ("feasibility.questionnairetemplate", "Feasibility questionnaire template"),
            ("feasibility.templatequestion", "Feasibility question"),
            ("feasibility.confidentialityagreement", "Confidentiality agreement"),
            ("feasibility.questionnaire", "Feasibility questionnaire"),
            ("feasibility.questionnaireanswer", "Feasibility answer"),
            ("feasibility.selectiondecision", "Selection decision"),
        ):
            ext.audit_labels.register(ext.AuditLabel(object_type, label))
        ext.routes.register(
            ext.RouteSet("feasibility", "trialdesk.feasibility.urls", "trialdesk.feasibility.api", order=86)
        )
        ext.scoping_cases.register("trialdesk.feasibility.tests.scoping")
