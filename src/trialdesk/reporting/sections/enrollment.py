"""Enrollment against plan: the forecast's fan chart and its dates (statistics' stored snapshot, or one
computed now and not stored). Enrollment is an aggregate: a sponsor viewer sees it, never a participant."""

from django.utils.translation import gettext

from trialdesk.core import charts
from trialdesk.core.extensions import ReportBlock, ReportTable
from trialdesk.statistics import forecasts
from trialdesk.subjects.selectors.recruitment import recruitment_funnel


def _when(day) -> str:
    return day.isoformat() if day else gettext("not forecast")


def _probability(forecast) -> str:
    p = forecast.probability_by_planned_end
    return gettext("not forecast") if p is None else f"{round(100 * p)} %"


def _of(forecast) -> str:
    return gettext("%(enrolled)s of %(target)s") % {"enrolled": forecast.enrolled, "target": forecast.target}


def study_block(user, study, today) -> ReportBlock:
    forecast = forecasts.current_enrollment_forecast(study=study, as_of=today)
    figures = (
        (gettext("Enrolled"), _of(forecast)),
        (gettext("Planned end of enrollment"), _when(forecast.planned_end)),
        (gettext("Forecast completion (median)"), _when(forecast.completion_p50)),
        (
            gettext("Forecast completion (10–90 %)"),
            f"{_when(forecast.completion_p10)} – {_when(forecast.completion_p90)}",
        ),
        (gettext("Probability of reaching the target by the planned end"), _probability(forecast)),
    )
    chart = charts.enrollment_forecast(
        forecast.actual, forecast.curve, forecast.target, planned_end=forecast.planned_end
    )
    funnel = recruitment_funnel(user, study).study
    screening = charts.screening_funnel(
        [
            (gettext("Screened"), funnel.screened),
            (gettext("In screening"), funnel.in_screening),
            (gettext("Screen failed"), funnel.screen_failed),
            (gettext("Enrolled"), funnel.enrolled),
        ],
        title=gettext("Screening funnel (the sites you may see)"),
    )
    if not (funnel.screened or funnel.enrolled):
        screening = None  # nobody screened yet: the figures say so, an empty chart would not
    summary = gettext("Forecast as of %(on)s.") % {"on": forecast.as_of.isoformat()}
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
            rows.append((study.code, gettext("not forecast yet"), "", "", ""))
            continue
        rows.append(
            (
                study.code,
                _of(forecast),
                _when(forecast.planned_end),
                _when(forecast.completion_p50),
                _probability(forecast),
            )
        )
    headings = (
        gettext("Study"),
        gettext("Enrolled"),
        gettext("Planned end"),
        gettext("Forecast completion"),
        gettext("P(on time)"),
    )
    return ReportBlock(tables=(ReportTable(headings, tuple(rows)),))
