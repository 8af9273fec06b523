"""What privacy adds to the shared pages, rules and commands (core.extensions), called from PrivacyConfig."""


def register_all() -> None:
    from trialdesk.core import extensions as ext
    from trialdesk.privacy import demo, tabs, work

    ext.study_sections.register(
        ext.StudySection(
            "privacy", "Data protection", "privacy/tabs/privacy.html", tabs.privacy_tab, 950, "Regulatory"
        )
    )
    for source in work.SOURCES:
        ext.my_work.register(source)
    ext.demo_loaders.register(
        ext.DemoLoader("privacy", "Data protection: register, transfers, a request", demo.load, ("finance",))
    )
    for object_type, label in (
        ("privacy.studyprivacy", "Privacy settings"),
        ("privacy.processingpurpose", "Processing purpose"),
        ("privacy.transfersafeguard", "Transfer safeguard"),
        ("privacy.legalhold", "Legal hold"),
        ("privacy.datasubjectrequest", "Data-subject request"),
        ("privacy.purgerun", "Purge"),
    ):
        ext.audit_labels.register(ext.AuditLabel(object_type, label, False))
    ext.routes.register(ext.RouteSet("privacy", "trialdesk.privacy.urls", "trialdesk.privacy.api", order=110))
    ext.scoping_cases.register("trialdesk.privacy.tests.scoping")
