"""App configuration for studies: the study page's own sections, its routes and audit labels."""

from django.apps import AppConfig


class StudiesConfig(AppConfig):
    name = "trialdesk.studies"
    label = "studies"

    def ready(self):
        from trialdesk.core import extensions as ext
        from trialdesk.studies import demo, health, search, stored_health
        from trialdesk.studies.views import study as pages

        for section in (
            ext.StudySection(
                "overview",
                "Overview",
                "studies/partials/tab_overview.html",
                pages.overview_section,
                10,
                "Overview",
            ),
            ext.StudySection(
                "protocol",
                "Protocol versions",
                "studies/partials/tab_protocol.html",
                pages.protocol_section,
                20,
                "Setup",
            ),
            ext.StudySection(
                "arms", "Arms", "studies/partials/tab_arms.html", pages.arms_section, 30, "Setup"
            ),
            ext.StudySection(
                "milestones",
                "Milestones",
                "studies/partials/tab_milestones.html",
                pages.milestones_section,
                40,
                "Setup",
            ),
            ext.StudySection(
                "history",
                "History",
                "studies/partials/tab_history.html",
                pages.history_section,
                900,
                "History",
            ),
        ):
            ext.study_sections.register(section)
        ext.health_signals.register(health.TIMELINE)
        ext.portfolio_columns.register(
            ext.PortfolioColumn(
                "health",
                "Health",
                order=5,
                annotate_for=stored_health.rank_annotation,
                values=stored_health.colour_values,
                sort_by="health_rank",
                api_type=str | None,
                description=(
                    'The study\'s overall health, "red", "amber" or "green", as last computed by '
                    "`trialdesk health refresh` (nightly); null before the first. Subject-blind readers get "
                    "the colour without the subject-level signals."
                ),
                cell="studies/portfolio/health.html",
                title="Overall health, worst first when sorted; refreshed nightly",
            )
        )
        ext.health_thresholds.register(health.RED_AFTER_DAYS)
        for object_type, label in (
            ("studies.program", "Program"),
            ("studies.study", "Study"),
            ("studies.protocolversion", "Protocol version"),
            ("studies.arm", "Arm"),
            ("studies.milestone", "Milestone"),
            ("studies.healththreshold", "Health threshold"),
        ):
            ext.audit_labels.register(ext.AuditLabel(object_type, label))
        ext.demo_loaders.register(
            ext.DemoLoader("studies", "Programs and studies", demo.load_studies, ("people",))
        )
        ext.demo_loaders.register(
            ext.DemoLoader(
                "stored_health", "Health for the portfolio", lambda demo: stored_health.refresh(), ("*",)
            )
        )
        ext.search_sources.register(search.STUDIES)
        ext.scoping_cases.register("trialdesk.studies.tests.scoping")
        ext.routes.register(
            ext.RouteSet("studies", "trialdesk.studies.urls", "trialdesk.studies.api", order=20)
        )
        ext.routes.register(ext.RouteSet("study-health", "", "trialdesk.studies.health_api", order=21))
