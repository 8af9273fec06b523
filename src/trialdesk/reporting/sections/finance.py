"""Finance: the budget against spend and the estimate at completion (its 10–90 % range), for the
readers of the study's totals; "hidden" for everyone else."""

from django.utils.translation import gettext

from trialdesk.core.extensions import ReportBlock, ReportTable
from trialdesk.finance import estimates
from trialdesk.finance.charts import burn_chart
from trialdesk.finance.permissions import can_read_totals
from trialdesk.finance.rules import money
from trialdesk.reporting.models import StoredEstimate

HIDDEN = "hidden"


def study_block(user, study, today) -> ReportBlock:
    if not can_read_totals(user, study.pk):
        return ReportBlock(summary=gettext("hidden: budget figures are not shown to your role."))
    figures = estimates.study_finance(study, today, with_sites=False)
    if figures is None:
        return ReportBlock(summary=gettext("No budget yet."))
    shown = figures.shown
    chart = burn_chart(figures.burn, budget=figures.budget, eac=figures.eac, currency=figures.currency)
    return ReportBlock(
        summary=gettext("Budget version %(number)s, in %(currency)s.")
        % {"number": figures.budget_version.number, "currency": figures.currency},
        figures=(
            (gettext("Budget"), shown(figures.budget)),
            (gettext("Spent"), shown(figures.spent)),
            (gettext("Committed"), shown(figures.committed)),
            (gettext("Estimate at completion (median)"), shown(figures.eac["0.5"])),
            (
                gettext("Estimate at completion (10–90 %)"),
                f"{shown(figures.eac['0.1'])} – {shown(figures.eac['0.9'])}",
            ),
            (gettext("Variance at completion"), shown(figures.variance)),
        ),
        charts=(chart,) if chart else (),
    )


def portfolio_block(user, studies, today) -> ReportBlock | None:
    """The stored estimates (reporting.freshness: as the data change and nightly), one query for all."""
    if not studies:
        return None
    stored = {e.study_id: e for e in StoredEstimate.objects.filter(study__in=[s.pk for s in studies])}
    rows = []
    for study in studies:
        estimate = stored.get(study.pk)
        if not can_read_totals(user, study.pk):
            hidden = gettext(HIDDEN)
            rows.append((study.code, hidden, hidden, hidden))
        elif estimate is None:
            rows.append((study.code, gettext("not yet computed"), "", ""))
        elif not estimate.has_budget:
            rows.append((study.code, gettext("no budget"), "", ""))
        else:
            currency = estimate.currency
            rows.append(
                (
                    study.code,
                    money.shown(estimate.budget, currency),
                    money.shown(estimate.eac_median, currency),
                    money.shown(estimate.variance, currency),
                )
            )
    return ReportBlock(
        tables=(
            ReportTable(
                (gettext("Study"), gettext("Budget"), gettext("Estimate at completion"), gettext("Variance")),
                tuple(rows),
            ),
        )
    )
