"""The Finance tab's chart of budget against actual and forecast: cumulative earned and paid by month, the
budget, and the estimate at completion with its 10–90 % range, as a Vega-Lite specification
(core.charts.budget_burn), drawn in the page by the vendored vega-embed and in reports by vl-convert."""

from decimal import Decimal

from trialdesk.core import charts


def burn_chart(months, *, budget: Decimal, eac: dict, currency: str) -> dict | None:
    """The chart's specification (None while nothing is earned yet)."""
    return charts.budget_burn(
        [
            {"month": m.month, "earned": float(m.cumulative_earned), "paid": float(m.cumulative_paid)}
            for m in months
        ],
        budget=float(budget),
        eac={quantile: float(amount) for quantile, amount in eac.items()},
        currency=currency,
    )
