"""A funnel plot as inline SVG: sites' metric against their denominator, with the flagging bounds.

Pure: plain numbers in, SVG markup out, so the study page draws it on the server with no script.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 640, 360
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 64, 16, 16, 44
# Fill of a site's dot by its flag; a site without a score is hollow grey.
FLAG_COLOURS = {2: "#c0392b", -2: "#c0392b", 1: "#e69f00", -1: "#e69f00", 0: "#2e8b57"}
UNSCORED_COLOUR = "#8a94a3"
# Bound lines: the centre (threshold 0) solid, the outer ones dashed and darker.
BOUND_STYLES = {"centre": ("#1f2d3d", ""), "inner": ("#e69f00", "6 4"), "outer": ("#c0392b", "2 3")}


@dataclass(frozen=True)
class Dot:
    """One site: x is its denominator, y its metric; flag None when it is not scored."""

    x: float
    y: float
    flag: int | None
    label: str


@dataclass(frozen=True)
class Curve:
    """One bound: the metric (ys) a site would need at each denominator (xs) to reach `threshold`."""

    threshold: float
    xs: Sequence[float]
    ys: Sequence[float]


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round-numbered ticks covering [low, high] (1, 2 or 5 times a power of ten apart)."""
    if high <= low:
        return [low]
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) / step + 1e-9) + 1)]


def _label(value: float) -> str:
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def _style(threshold: float, thresholds: Sequence[float]) -> tuple[str, str]:
    if threshold == 0:
        return BOUND_STYLES["centre"]
    outer = max(abs(t) for t in thresholds) if thresholds else abs(threshold)
    return BOUND_STYLES["outer" if abs(threshold) == outer else "inner"]


def funnel_svg(
    dots: Sequence[Dot],
    curves: Sequence[Curve],
    *,
    x_label: str,
    y_label: str,
    title: str,
    width: int = WIDTH,
    height: int = HEIGHT,
    empty_text: str = "No site has data for this indicator yet.",
) -> str:
    """SVG markup of the funnel plot; every text is escaped, every number finite.

    Axes start at 0 and reach the largest denominator and metric among dots and bounds (bounds are
    clipped to the plot). With no dots, the plot says so instead of drawing axes.

    Examples
    --------
    >>> svg = funnel_svg([Dot(10, 0.5, 2, "Site 1")], [], x_label="n", y_label="rate", title="t")
    >>> svg.startswith("<svg") and 'fill="#c0392b"' in svg and "Site 1" in svg
    True
    """
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="funnel-plot" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
    )
    finite_dots = [d for d in dots if math.isfinite(d.x) and math.isfinite(d.y)]
    if not finite_dots:
        return (
            f'{head}<text x="{width / 2}" y="{height / 2}" text-anchor="middle" class="empty">'
            f"{escape(empty_text)}</text></svg>"
        )
    x_max = max(d.x for d in finite_dots) * 1.05 or 1.0
    curve_ys = [
        y for c in curves for x, y in zip(c.xs, c.ys, strict=True) if math.isfinite(y) and 0 < x <= x_max
    ]
    y_max = max([d.y for d in finite_dots] + [y for y in curve_ys if y > 0] + [0.0])
    # Bounds shoot up at small denominators: do not let them squash the dots.
    y_max = min(y_max, max(d.y for d in finite_dots) * 2 or 1.0) * 1.05 or 1.0
    plot_w = width - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = height - MARGIN_TOP - MARGIN_BOTTOM

    def px(x: float) -> float:
        return round(MARGIN_LEFT + x / x_max * plot_w, 2)

    def py(y: float) -> float:
        return round(MARGIN_TOP + plot_h - min(max(y, 0.0), y_max) / y_max * plot_h, 2)

    parts = [head]
    bottom, left = MARGIN_TOP + plot_h, MARGIN_LEFT
    parts.append(
        f'<g class="axes" stroke="#1f2d3d" stroke-width="1">'
        f'<line x1="{left}" y1="{bottom}" x2="{left + plot_w}" y2="{bottom}"/>'
        f'<line x1="{left}" y1="{MARGIN_TOP}" x2="{left}" y2="{bottom}"/></g>'
    )
    for tick in _ticks(0, x_max):
        parts.append(
            f'<text x="{px(tick)}" y="{bottom + 16}" text-anchor="middle" font-size="11">'
            f"{_label(tick)}</text>"
        )
    for tick in _ticks(0, y_max):
        parts.append(
            f'<text x="{left - 6}" y="{py(tick) + 4}" text-anchor="end" font-size="11">{_label(tick)}</text>'
        )
    parts.append(
        f'<text x="{left + plot_w / 2}" y="{height - 8}" text-anchor="middle" font-size="12">'
        f"{escape(x_label)}</text>"
        f'<text x="14" y="{MARGIN_TOP + plot_h / 2}" text-anchor="middle" font-size="12" '
        f'transform="rotate(-90 14 {MARGIN_TOP + plot_h / 2})">{escape(y_label)}</text>'
    )
    thresholds = [c.threshold for c in curves if c.threshold != 0]
    for curve in curves:
        points = [
            f"{px(x)},{py(y)}"
            for x, y in zip(curve.xs, curve.ys, strict=True)
            if math.isfinite(x) and math.isfinite(y) and 0 < x <= x_max
        ]
        if len(points) < 2:
            continue
        colour, dash = _style(curve.threshold, thresholds)
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polyline class="bound" data-threshold="{curve.threshold:g}" fill="none" stroke="{colour}" '
            f'stroke-width="1.5"{dashes} points="{" ".join(points)}"/>'
        )
    for dot in finite_dots:
        colour = FLAG_COLOURS.get(dot.flag, UNSCORED_COLOUR)
        fill = colour if dot.flag is not None else "none"
        flag = "none" if dot.flag is None else str(dot.flag)
        parts.append(
            f'<circle class="site" data-flag="{flag}" cx="{px(dot.x)}" cy="{py(dot.y)}" r="5" '
            f'fill="{fill}" stroke="{colour}" stroke-width="1.5"><title>{escape(dot.label)}</title></circle>'
        )
    parts.append("</svg>")
    return "".join(parts)
