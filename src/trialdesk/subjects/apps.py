"""App configuration for subjects (participants): their study tabs and figures, the enrollment column,
the demo's consent and enrollment, and which of their records are subject-level."""

from django.apps import AppConfig


class SubjectsConfig(AppConfig):
    name = "trialdesk.subjects"
    label = "subjects"

    def ready(self):
        from trialdesk.core import extensions as ext
        from trialdesk.subjects import demo, health, kris, search, selectors, tabs, work

        for section in (
            ext.StudySection(
                "participants",
                "Participants",
                "subjects/tabs/participants.html",
                tabs.participants_tab,
                100,
                "Participants",
            ),
            ext.StudySection(
                "recruitment",
                "Recruitment",
                "subjects/tabs/recruitment.html",
                tabs.recruitment_tab,
                110,
                "Participants",
            ),
            ext.StudySection(
                "diversity",
                "Diversity",
                "subjects/tabs/diversity.html",
                tabs.diversity_tab,
                120,
                "Participants",
            ),
            ext.StudySection(
                "consent", "Consent", "subjects/tabs/consent.html", tabs.consent_tab, 130, "Participants"
            ),
            ext.StudySection(
                "reconsent",
                "Re-consent",
                "subjects/tabs/reconsent.html",
                tabs.reconsent_tab,
                140,
                "Participants",
            ),
        ):
            ext.study_sections.register(section)
        ext.study_overview_panels.register(
            ext.Panel("participants", "subjects/panels/study_overview.html", tabs.overview_numbers, 20)
        )
        ext.portfolio_columns.register(
            ext.PortfolioColumn(
                "enrolled",
                "Enrollment",
                order=30,
                annotate=lambda: {"enrolled": selectors.enrolled_count()},
                api_type=int,
                description="Participants enrolled so far (everyone past screening).",
                cell="subjects/portfolio/enrolled.html",
                hint="actual / target",
                numeric=True,
                sort_by="enrolled",
            )
        )
        ext.health_signals.register(health.RECONSENT)
        ext.my_work.register(work.RECONSENTS)
        ext.kris.register(ext.KriSource("subjects", kris.DEFINITIONS, kris.counts, order=20))
        ext.demo_loaders.register(
            ext.DemoLoader(
                "consent_versions", "Consent versions", demo.load_consent_versions, ("studies",), ("sites",)
            )
        )
        ext.demo_site_steps.register(ext.Hook("participants", demo.site_step, order=10))
        for object_type, label, subject_level in (
            ("subjects.consentversion", "Consent version", False),
            ("subjects.consentapproval", "Consent approval", False),
            ("subjects.diversitytarget", "Diversity target", False),
            ("subjects.screeningentry", "Screening log entry", True),
            ("subjects.participant", "Participant", True),
            ("subjects.consent", "Consent", True),
            ("subjects.consentwithdrawal", "Consent withdrawal", True),
        ):
            ext.audit_labels.register(ext.AuditLabel(object_type, label, subject_level))
        ext.search_sources.register(search.PARTICIPANTS)
        ext.routes.register(
            ext.RouteSet("subjects", "trialdesk.subjects.urls", "trialdesk.subjects.api", order=40)
        )
