"""App configuration for sites: the Sites tab, the overview's and portfolio's site figures, the demo's
institutions and sites."""

from django.apps import AppConfig


class SitesConfig(AppConfig):
    name = "trialdesk.sites"
    label = "sites"

    def ready(self):
        from trialdesk.core import extensions as ext
        from trialdesk.sites import demo, pages, search

        ext.study_sections.register(
            ext.StudySection("sites", "Sites", "sites/tabs/sites.html", pages.sites_section, 50, "Sites")
        )
        ext.study_overview_panels.register(
            ext.Panel("sites", "sites/panels/study_overview.html", pages.study_overview_panel, 10)
        )
        for column in (
            ext.PortfolioColumn(
                "countries",
                "Countries",
                order=10,
                values=pages.countries_of,
                api_type=list[str],
                description="ISO codes of the countries of the study's sites.",
                cell="sites/portfolio/countries.html",
            ),
            ext.PortfolioColumn(
                "sites_active",
                "Sites active",
                order=20,
                annotate=pages.active_sites_annotation,
                api_type=int,
                description="Sites activated, enrolling or closed to enrollment.",
                on_page=False,
            ),
            ext.PortfolioColumn(
                "sites_planned",
                "Sites",
                order=21,
                annotate=pages.planned_sites_annotation,
                api_type=int,
                description="Sites of the study, terminated ones left out.",
                cell="sites/portfolio/sites.html",
                hint="active / planned",
                numeric=True,
                sort_by="sites_planned",
            ),
        ):
            ext.portfolio_columns.register(column)
        ext.demo_loaders.register(
            ext.DemoLoader("sites", "Institutions and study sites", demo.load_sites, ("studies",))
        )
        for object_type, label in (("sites.institution", "Institution"), ("sites.studysite", "Study site")):
            ext.audit_labels.register(ext.AuditLabel(object_type, label))
        ext.search_sources.register(search.SITES)
        ext.routes.register(ext.RouteSet("sites", "trialdesk.sites.urls", "trialdesk.sites.api", order=30))
