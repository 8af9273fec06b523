"""Enrollment against plan: the forecast's fan chart and its dates (statistics' stored snapshot, or one
computed now and not stored). Enrollment is an aggregate: a sponsor viewer sees it, never a participant."""

from trialdesk.core import charts
from trialdesk.core.extensions import ReportBlock, ReportTable
from trialdesk.statistics import forecasts
from trialdesk.subjects.selectors.recruitment import recruitment_funnel


def _when(day) -> str:
    return day.isoformat() if day else "not forecast"


def _probability(forecast) -> str:
    p = forecast.probability_by_planned_end
    return "not forecast" if p is None else f"{round(100 * p)} %"


def study_block(user, study, today) -> ReportBlock:
    forecast = forecasts.current_enrollment_forecast(study=study, as_of=today)
    figures = (
        ("Enrolled", f"{forecast.enrolled} of {forecast.target}"),
        ("Planned end of enrollment", _when(forecast.planned_end)),
        ("Forecast completion (median)", _when(forecast.completion_p50)),
        (
            "Forecast completion (10–90 %)",
            f"{_when(forecast.completion_p10)} – {_when(forecast.completion_p90)}",
        ),
        ("Probability of reaching the target by the planned end", _probability(forecast)),
    )
    chart = charts.enrollment_forecast(
        forecast.actual, forecast.curve, forecast.target, planned_end=forecast.planned_end
    )
    funnel = recruitment_funnel(user, study).study
    screening = charts.screening_funnel(
        [
            ("Screened", funnel.screened),
            ("In screening", funnel.in_screening),
            ("Screen failed", funnel.screen_failed),
            ("Enrolled", funnel.enrolled),
        ],
        title="Screening funnel (the sites you may see)",
    )
    if not (funnel.screened or funnel.enrolled):
        screening = None  # nobody screened yet: the figures say so, an empty chart would not
    summary = f"Forecast as of {forecast.as_of.isoformat()}."
    if forecast.reason:
        summary = f"{summary} {forecast.reason}"
    return ReportBlock(
        summary=summary, figures=figures, charts=tuple(spec for spec in (chart, screening) if spec)
    )


def portfolio_block(user, studies, today) -> ReportBlock | None:
    """The stored forecasts only (computed when data change or nightly): the portfolio computes none."""
    if not studies:
        return None
    stored = forecasts.latest_forecasts([study.pk for study in studies])
    rows = []
    for study in studies:
        forecast = stored.get(study.pk)
        if forecast is None:
            rows.append((study.code, "not forecast yet", "", "", ""))
            continue
        rows.append(
            (
                study.code,
                f"{forecast.enrolled} of {forecast.target}",
                _when(forecast.planned_end),
                _when(forecast.completion_p50),
                _probability(forecast),
            )
        )
    headings = ("Study", "Enrolled", "Planned end", "Forecast completion", "P(on time)")
    return ReportBlock(tables=(ReportTable(headings, tuple(rows)),))
