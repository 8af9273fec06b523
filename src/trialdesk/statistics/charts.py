"""Server-drawn SVG of an enrollment forecast: the series mapped to path strings, no chart library."""

import datetime as dt
from dataclasses import dataclass

WIDTH, HEIGHT = 720, 300
#: Room for the axis labels: left, right, top, bottom.
MARGIN = (48, 16, 12, 28)


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class FanChart:
    """Path strings (SVG ``d`` attributes) and axis ticks, in a ``width`` × ``height`` view box."""

    width: int
    height: int
    actual: str
    band: str
    mean: str
    target_y: float
    planned_end_x: float | None
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float


def fan_chart(
    actual: list[dict],
    curve: list[dict],
    target: int,
    *,
    planned_end: dt.date | None = None,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> FanChart | None:
    """Map the weekly actual (``on``, ``enrolled``) and forecast (``on``, ``mean``, ``lower``, ``upper``)
    series to SVG paths; x is time from the first point to the last, y is 0 to a little above the
    larger of the target and the band's top. None when there is nothing to draw."""
    days = [_day(p["on"]) for p in [*actual, *curve]]
    if planned_end is not None:
        days.append(planned_end)
    if not days:
        return None
    first, last = min(days), max(days)
    span = max((last - first).days, 1)
    top_value = max([target, *(p["enrolled"] for p in actual), *(p["upper"] for p in curve)])
    y_max = _nice_ceiling(top_value * 1.05)
    left, right, top, bottom = MARGIN[0], width - MARGIN[1], MARGIN[2], height - MARGIN[3]

    def x(day: dt.date) -> float:
        return round(left + (right - left) * (day - first).days / span, 1)

    def y(value: float) -> float:
        return round(bottom - (bottom - top) * value / y_max, 1)

    def line(points) -> str:
        return " ".join(f"{'M' if i == 0 else 'L'}{px},{py}" for i, (px, py) in enumerate(points))

    actual_points = [(x(_day(p["on"])), y(p["enrolled"])) for p in actual]
    upper = [(x(_day(p["on"])), y(p["upper"])) for p in curve]
    lower = [(x(_day(p["on"])), y(p["lower"])) for p in curve]
    return FanChart(
        width=width,
        height=height,
        actual=line(actual_points),
        band=f"{line(upper + lower[::-1])} Z" if curve else "",
        mean=line([(x(_day(p["on"])), y(p["mean"])) for p in curve]),
        target_y=y(target),
        planned_end_x=None if planned_end is None else x(planned_end),
        x_ticks=tuple(Tick(x(day), day.isoformat()[:7]) for day in _month_starts(first, last)),
        y_ticks=tuple(Tick(y(v), str(v)) for v in range(0, y_max + 1, y_max // _divisions(y_max))),
        plot_left=left,
        plot_right=right,
        plot_top=top,
        plot_bottom=bottom,
    )


def _day(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _nice_ceiling(value: float) -> int:
    """The smallest of 1, 2, 4, 5, 10 × a power of ten that is at least ``value`` (and at least 4)."""
    value = max(value, 4)
    scale = 1
    while True:
        for step in (1, 2, 4, 5):
            if step * scale >= value:
                return step * scale
        scale *= 10


def _divisions(y_max: int) -> int:
    """Gridlines for a nice ceiling: 2 and 4 (× 10^k) divide in four, 1 and 5 in five."""
    return 4 if str(y_max)[0] in "24" else 5


def _month_starts(first: dt.date, last: dt.date, most: int = 8) -> list[dt.date]:
    """First days of months between the dates, thinned to at most ``most`` labels."""
    months = []
    year, month = (first.year, first.month + 1) if first.day > 1 else (first.year, first.month)
    while True:
        if month > 12:
            year, month = year + 1, 1
        day = dt.date(year, month, 1)
        if day > last:
            break
        months.append(day)
        month += 1
    step = -(-len(months) // most) if months else 1
    return months[::step]


@dataclass(frozen=True)
class PlanChart:
    """Cumulative planned and actual enrollment by month as SVG paths, with axis ticks."""

    width: int
    height: int
    planned: str
    actual: str
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float


def plan_chart(
    rows: list[dict], *, current_month: str, width: int = WIDTH, height: int = HEIGHT
) -> PlanChart | None:
    """Map variance rows (``month``, ``cumulative_planned``, ``cumulative_actual``) to two step-free lines
    at month ends; the actual line stops at ``current_month``. None when there are no months."""
    if not rows:
        return None
    top_value = max(max(r["cumulative_planned"], r["cumulative_actual"]) for r in rows)
    y_max = _nice_ceiling(top_value * 1.05)
    left, right, top, bottom = MARGIN[0], width - MARGIN[1], MARGIN[2], height - MARGIN[3]
    span = max(len(rows), 1)

    def x(index: int) -> float:
        return round(left + (right - left) * index / span, 1)

    def y(value: float) -> float:
        return round(bottom - (bottom - top) * value / y_max, 1)

    def line(points) -> str:
        return " ".join(f"{'M' if i == 0 else 'L'}{px},{py}" for i, (px, py) in enumerate(points))

    planned = [(x(0), y(0))] + [(x(i + 1), y(r["cumulative_planned"])) for i, r in enumerate(rows)]
    done = [r for r in rows if r["month"] <= current_month]
    actual = [(x(0), y(0))] + [(x(i + 1), y(r["cumulative_actual"])) for i, r in enumerate(done)]
    step = -(-len(rows) // 8)
    return PlanChart(
        width=width,
        height=height,
        planned=line(planned),
        actual=line(actual) if done else "",
        x_ticks=tuple(
            Tick(x(i) + (x(1) - x(0)) / 2, r["month"]) for i, r in enumerate(rows) if i % step == 0
        ),
        y_ticks=tuple(Tick(y(v), str(v)) for v in range(0, y_max + 1, y_max // _divisions(y_max))),
        plot_left=left,
        plot_right=right,
        plot_top=top,
        plot_bottom=bottom,
    )
