"""Key risk indicators (statistics' KRIs, scored over the whole study as gsm does): how many of the
reader's sites each KRI flags, and the funnel plot of the KRI that flags most. Site-level metrics, no
participant is named."""

from django.utils.translation import gettext

from trialdesk.core import charts
from trialdesk.core.extensions import ReportBlock, ReportTable
from trialdesk.statistics import kris

MOST_CHARTS = 1
# Points of each bound curve the chart draws: gsm computes them at every denominator (a thousand and
# more); the curves are smooth, and a chart 620 px wide shows no more.
CURVE_POINTS = 80
FLAG_WORDS = {0: "Green", 1: "Amber", -1: "Amber", 2: "Red", -2: "Red"}


def _funnel(result: kris.KriResult) -> dict | None:
    spec = result.definition
    sites = [
        {
            "site": row.site.site_number,
            "denominator": row.denominator,
            "metric": row.metric,
            "flag": FLAG_WORDS.get(row.flag, "Not scored"),
        }
        for row in result.rows
        if row.metric is not None
    ]
    bounds = []
    if result.bounds is not None:
        b = result.bounds
        bounds = thinned(
            [
                {"denominator": float(d), "metric": float(m), "threshold": float(t)}
                for d, m, t in zip(
                    b.denominator.tolist(), b.metric.tolist(), b.threshold.tolist(), strict=True
                )
            ]
        )
    y_title = f"{spec.name} ({spec.per})" if spec.per else gettext("%(kri)s (share)") % {"kri": spec.name}
    title = gettext("Funnel plot: %(kri)s") % {"kri": spec.name}
    return charts.kri_funnel(sites, bounds, title=title, x_title=spec.denominator, y_title=y_title)


def thinned(bounds: list[dict], points: int = CURVE_POINTS) -> list[dict]:
    """At most `points` evenly spaced points of each threshold's curve, its first and last kept."""
    curves: dict[float, list[dict]] = {}
    for row in bounds:
        curves.setdefault(row["threshold"], []).append(row)
    kept = []
    for rows in curves.values():
        if len(rows) <= points:
            kept += rows
            continue
        step = (len(rows) - 1) / (points - 1)
        kept += [rows[round(i * step)] for i in range(points)]
    return kept


def study_block(user, study, today) -> ReportBlock | None:
    results = kris.study_kris(user, study)
    if not results:
        return None

    def red(result):
        return sum(FLAG_WORDS.get(row.flag) == "Red" for row in result.rows)

    rows = tuple(
        (
            result.definition.name,
            str(red(result)),
            str(sum(FLAG_WORDS.get(row.flag) == "Amber" for row in result.rows)),
            str(sum(row.metric is not None for row in result.rows)),
            ", ".join(row.site.site_number for row in result.flagged) or gettext("none"),
        )
        for result in results
    )
    worst = sorted((r for r in results if r.flagged), key=lambda r: (-red(r), -len(r.flagged)))[:MOST_CHARTS]
    funnels = tuple(spec for spec in (_funnel(result) for result in worst) if spec)
    return ReportBlock(
        summary=gettext("Flags over the sites you may see; each site is scored against the whole study."),
        tables=(
            ReportTable(
                (
                    gettext("Indicator"),
                    gettext("Red"),
                    gettext("Amber"),
                    gettext("Sites scored"),
                    gettext("Flagged sites"),
                ),
                rows,
            ),
        ),
        charts=funnels,
    )
