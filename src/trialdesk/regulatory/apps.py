"""App configuration for regulatory: the Regulatory and Amendments tabs, the site page's ethics panel,
and the ethics-approval gates on enrollment and on a new consent version."""

from django.apps import AppConfig


class RegulatoryConfig(AppConfig):
    name = "trialdesk.regulatory"
    label = "regulatory"

    def ready(self):
        from trialdesk.core import extensions as ext
        from trialdesk.regulatory import demo, health, selectors, tabs, work

        for section in (
            ext.StudySection(
                "regulatory",
                "Regulatory",
                "regulatory/tabs/regulatory.html",
                tabs.regulatory_tab,
                400,
                "Regulatory",
            ),
            ext.StudySection(
                "amendments",
                "Amendments",
                "regulatory/tabs/amendments.html",
                tabs.amendments_tab,
                410,
                "Regulatory",
            ),
        ):
            ext.study_sections.register(section)
        ext.site_panels.register(
            ext.Panel("regulatory", "regulatory/partials/site_panel.html", tabs.site_regulatory_panel, 20)
        )
        ext.health_signals.register(health.APPROVALS)
        ext.my_work.register(work.APPROVALS)
        # A lapsed ethics approval blocks enrollment; a consent version is used only after the ethics
        # approval of the amendment it belongs to.
        ext.enrollment_gates.register(
            ext.Gate(
                "ethics_approval",
                lambda *, study_site, on: selectors.enrollment_block(study_site, on),
                "study_site",
            )
        )
        ext.consent_gates.register(
            ext.Gate(
                "amendment_approval",
                lambda *, study_site, consent_version, on: selectors.consent_version_block(
                    study_site, consent_version, on
                ),
                "approved_on",
            )
        )
        ext.demo_loaders.register(
            ext.DemoLoader("regulatory", "Ethics and regulatory", demo.load, ("documents",))
        )
        for object_type, label in (
            ("regulatory.regulatoryauthority", "Regulatory authority"),
            ("regulatory.ethicscommittee", "Ethics committee"),
            ("regulatory.submission", "Submission"),
            ("regulatory.amendmentimplementation", "Amendment implementation"),
            ("regulatory.amendmenttask", "Amendment task"),
        ):
            ext.audit_labels.register(ext.AuditLabel(object_type, label))
        ext.routes.register(
            ext.RouteSet("regulatory", "trialdesk.regulatory.urls", "trialdesk.regulatory.api", order=90)
        )
        ext.scoping_cases.register("trialdesk.regulatory.tests.scoping")
