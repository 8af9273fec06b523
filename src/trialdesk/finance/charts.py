"""Server-drawn SVG of budget against actual and forecast: cumulative earned and paid by month, the budget
as a line, and the estimate at completion's 10–90 % band at the right edge (no chart library)."""

from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 70, 90, 12, 28


@dataclass(frozen=True)
class BurnChart:
    width: int
    height: int
    earned: str
    paid: str
    budget_y: float
    eac_low_y: float
    eac_mid_y: float
    eac_high_y: float
    band_x: float
    last_x: float
    first_month: str
    last_month: str
    top_label: str


def burn_chart(months, *, budget: Decimal, eac: dict, shown) -> BurnChart | None:
    """Paths for the cumulative earned and paid lines, with the budget and EAC on the same scale."""
    if not months:
        return None
    top = max([budget, eac["0.9"], months[-1].cumulative_earned, Decimal(1)]) * Decimal("1.05")
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(months) - 1, 1)

    def y(value) -> float:
        return round(TOP + plot_h - float(Decimal(value) / top) * plot_h, 1)

    def path(values) -> str:
        return " ".join(
            f"{'M' if i == 0 else 'L'}{round(LEFT + i * step, 1)},{y(v)}" for i, v in enumerate(values)
        )

    return BurnChart(
        width=WIDTH,
        height=HEIGHT,
        earned=path([m.cumulative_earned for m in months]),
        paid=path([m.cumulative_paid for m in months]),
        budget_y=y(budget),
        eac_low_y=y(eac["0.1"]),
        eac_mid_y=y(eac["0.5"]),
        eac_high_y=y(eac["0.9"]),
        band_x=WIDTH - RIGHT + 20,
        last_x=round(LEFT + (len(months) - 1) * step, 1),
        first_month=months[0].month,
        last_month=months[-1].month,
        top_label=shown(top),
    )
