"""App configuration for statistics: the Risk indicators and Forecast tabs, the portfolio's forecast
colouring and the overview's link to planning assumptions."""

from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "trialdesk.statistics"
    label = "statistics"

    def ready(self):
        from trialdesk.core import extensions as ext
        from trialdesk.statistics import health

        # By dotted path: the tabs, forecasts and demo import numpy, scipy and the charts, which a command
        # that shows none of them should not pay for at start-up (trialdesk.cli).
        latest_forecasts = ext.lazy("trialdesk.statistics.forecasts.latest_forecasts")

        for section in (
            ext.StudySection(
                "kri",
                "Risk indicators",
                "statistics/tabs/kri.html",
                ext.lazy("trialdesk.statistics.tabs.kri_tab"),
                800,
                "Quality",
            ),
            ext.StudySection(
                "forecast",
                "Forecast",
                "statistics/tabs/forecast.html",
                ext.lazy("trialdesk.statistics.forecast_views.forecast_tab"),
                240,
                "Participants",
            ),
            ext.StudySection(
                "plan",
                "Recruitment plan",
                "statistics/tabs/plan.html",
                ext.lazy("trialdesk.statistics.plan_views.plan_tab"),
                250,
                "Participants",
            ),
        ):
            ext.study_sections.register(section)
        ext.study_overview_panels.register(
            ext.Panel("planning", "statistics/panels/study_overview.html", lambda request, study: {}, 90)
        )
        ext.health_signals.register(health.ENROLLMENT)
        for threshold in health.THRESHOLDS:
            ext.health_thresholds.register(threshold)
        ext.report_sections.register(
            ext.ReportSection(
                "recruitment_plan",
                "Recruitment plan",
                ext.lazy("trialdesk.statistics.report.study_block"),
                None,
                order=25,
            )
        )
        ext.demo_loaders.register(
            ext.DemoLoader(
                "forecasts",
                "Recruitment plans and enrollment forecasts",
                ext.lazy("trialdesk.statistics.demo.load"),
                ("sites",),
            )
        )
        ext.portfolio_columns.register(
            ext.PortfolioColumn(
                "forecast_probability",
                "Forecast",
                order=40,
                values=lambda user, studies: {
                    study_id: snapshot.probability_by_planned_end
                    for study_id, snapshot in latest_forecasts([s.pk for s in studies]).items()
                },
                annotate=ext.lazy("trialdesk.statistics.forecasts.on_time_annotation"),
                sort_by="forecast_on_time",
                cell="statistics/portfolio/forecast.html",
                hint="on time",
                title=(
                    "Probability of reaching the target by the planned last participant in, "
                    "from the stored enrollment forecast"
                ),
                numeric=True,
            )
        )
        for object_type, label in (
            ("statistics.planningassumption", "Planning assumption"),
            ("statistics.enrollmentforecast", "Enrollment forecast"),
            ("statistics.recruitmentplan", "Recruitment plan"),
        ):
            ext.audit_labels.register(ext.AuditLabel(object_type, label))
        ext.scoping_cases.register("trialdesk.statistics.tests.scoping")
        ext.routes.register(
            ext.RouteSet("statistics", "trialdesk.statistics.urls", "trialdesk.statistics.api", order=70)
        )
