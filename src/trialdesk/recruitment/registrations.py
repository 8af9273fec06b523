"""What recruitment adds to the shared pages, the demo and the tests (core.extensions)."""


def register_all() -> None:
    from trialdesk.core import extensions as ext
    from trialdesk.recruitment import demo, tabs

    ext.study_sections.register(
        ext.StudySection(
            "eligibility",
            "Eligibility",
            "recruitment/tabs/eligibility.html",
            tabs.eligibility_tab,
            250,
            "Participants",
        )
    )
    ext.site_panels.register(ext.Panel("prescreening", "recruitment/panels/site.html", tabs.site_panel, 45))
    for object_type, label, subject_level in (
        ("recruitment.eligibilitycriterion", "Eligibility criterion", False),
        ("recruitment.prescreeningpolicy", "Pre-screening retention", False),
        # A pool, its uploads and purges are about people found in a site's records (counts, file names).
        ("recruitment.prescreeningpool", "Pre-screening pool", True),
        ("recruitment.candidateupload", "Candidate upload", True),
    ):
        ext.audit_labels.register(ext.AuditLabel(object_type, label, subject_level))
    ext.demo_loaders.register(
        ext.DemoLoader(
            "recruitment", "Eligibility criteria and pre-screening pools", demo.load, ("integrations",)
        )
    )
    ext.routes.register(
        ext.RouteSet("recruitment", "trialdesk.recruitment.urls", "trialdesk.recruitment.api", order=97)
    )
    ext.scoping_cases.register("trialdesk.recruitment.tests.scoping")
