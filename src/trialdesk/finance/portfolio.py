"""The portfolio's budget burn: spent to date as a percentage of the budget in force, for the studies whose
budget figures the reader may see (core.extensions.portfolio_columns)."""

from trialdesk.core.extensions import PortfolioColumn
from trialdesk.finance.permissions import can_read_totals
from trialdesk.finance.selectors import budget_burn


def burn_values(user, studies) -> dict[int, str]:
    readable = [study.pk for study in studies if can_read_totals(user, study.pk)]
    return {study_id: f"{value:f}" for study_id, value in budget_burn(readable).items()} if readable else {}


BUDGET_BURN = PortfolioColumn(
    "budget_burn",
    "Budget",
    order=60,
    values=burn_values,
    api_type=str | None,
    description=(
        "Spent to date (site payables earned and vendor invoices approved) as a percentage of the budget in "
        'force, e.g. "42.5"; null without a budget or for a reader who may not see budget figures.'
    ),
    cell="finance/portfolio/burn.html",
    hint="% spent",
    title="Spent to date as a percentage of the study budget",
    numeric=True,
)
