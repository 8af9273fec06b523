"""Charts as Vega-Lite specifications, built with altair from plain values, drawn by one library everywhere.

A page puts a specification in a JSON data block (`{% chart %}`, core/templatetags/charts.py) and the
vendored vega-embed draws it (static/trialdesk/charts.js); a PDF gets the same specification rendered
offline to PNG or SVG by vl-convert (`to_png`, `to_svg`). So the chart in a report's page and in its PDF
are the same chart. Nothing here reads the database: callers pass what the reader may see.

Every chart has a fixed size (the PDF needs one) and names its axes in words; dates are calendar days.
Titles, axis names and legend entries are drawn in the language active when the chart is asked for (the
reader's), so a picture drawn from a German specification is kept apart from the English one (chart_digest).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import os
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import altair as alt
import vl_convert
from django.utils.translation import gettext as _
from PIL import Image

# altair checks each schema object against Vega-Lite's JSON schema as it is built (its "debug mode"), the
# data rows included; the finished specifications are checked against the schema by the tests instead.
alt.utils.schemapi.disable_debug_mode()

WIDTH, HEIGHT = 620, 230
#: The Vega-Lite version of altair's schema, which the vendored vega-lite and vl-convert both speak.
VEGA_LITE = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
#: Colours by meaning, the same in every chart (and close to trialdesk.css's badges).
ACTUAL, PLAN, FORECAST, LATE, ON_TIME, NEUTRAL = (
    "#1d4ed8",
    "#6b7280",
    "#7c3aed",
    "#b91c1c",
    "#15803d",
    "#9ca3af",
)
FONT = "Helvetica, Arial, Liberation Sans, DejaVu Sans, sans-serif"


def _day(value) -> str:
    """An ISO calendar day (Vega-Lite reads "YYYY-MM-DD" as a local date, shown without a time)."""
    return value.isoformat() if isinstance(value, dt.date) else str(value)[:10]


def _finish(chart: alt.TopLevelMixin, title: str) -> dict:
    """The chart's specification with its title and the common look, set on the dict: altair's
    `.properties()` and `.configure_*()` each deep-copy the chart, data included (most of a report's time)."""
    spec = chart.to_dict(validate=False)
    spec["title"] = title
    config = spec.setdefault("config", {})
    config["font"] = FONT
    config["view"] = {**config.get("view", {}), "stroke": None}
    config["axis"] = {**config.get("axis", {}), "labelFontSize": 11, "titleFontSize": 11}
    config["legend"] = {**config.get("legend", {}), "orient": "bottom", "title": None, "labelFontSize": 11}
    return spec


def _series(domain: Sequence[str], colours: Sequence[str]) -> alt.Color:
    return alt.Color("series:N", scale=alt.Scale(domain=list(domain), range=list(colours)))


def enrollment_forecast(
    actual: list[dict],
    curve: list[dict],
    target: int,
    *,
    planned_end: dt.date | str | None = None,
    title: str = "",
) -> dict | None:
    """Cumulative enrollment (`actual`: {"on", "enrolled"}), the forecast's mean and 10–90 % band
    (`curve`: {"on", "mean", "lower", "upper"}), the plan (a straight line from the first week to
    `target` on `planned_end`) and the target. None when there is nothing to draw."""
    if not actual and not curve:
        return None
    enrolled, mean, plan = _("Enrolled"), _("Forecast (mean)"), _("Plan")
    participants, target_label = _("Participants"), _("Target %(target)s") % {"target": target}
    lines = [{"on": _day(p["on"]), "count": p["enrolled"], "series": enrolled} for p in actual]
    lines += [{"on": _day(p["on"]), "count": p["mean"], "series": mean} for p in curve]
    first = _day((actual or curve)[0]["on"])
    if planned_end is not None:
        lines += [
            {"on": first, "count": 0, "series": plan},
            {"on": _day(planned_end), "count": target, "series": plan},
        ]
    band = [{"on": _day(p["on"]), "lower": p["lower"], "upper": p["upper"]} for p in curve]
    x = alt.X("on:T", title=_("Week"), axis=alt.Axis(format="%b %Y"))
    colour = _series([enrolled, mean, plan], [ACTUAL, FORECAST, PLAN])
    layers = [
        alt.Chart(alt.Data(values=band))
        .mark_area(opacity=0.2, color=FORECAST)
        .encode(x=x, y=alt.Y("lower:Q", title=participants), y2=alt.Y2("upper:Q")),
        alt.Chart(alt.Data(values=lines))
        .mark_line(strokeWidth=2)
        .encode(
            x=x,
            y=alt.Y("count:Q", title=participants),
            color=colour,
            strokeDash=alt.StrokeDash(
                "series:N",
                scale=alt.Scale(domain=[enrolled, mean, plan], range=[[1, 0], [6, 3], [2, 2]]),
            ),
        ),
        alt.Chart(alt.Data(values=[{"target": target, "label": target_label}]))
        .mark_rule(color=LATE, strokeDash=[4, 4])
        .encode(y=alt.Y("target:Q")),
        alt.Chart(alt.Data(values=[{"target": target, "label": target_label}]))
        .mark_text(align="left", dx=4, dy=-7, color=LATE, fontSize=11)
        .encode(y=alt.Y("target:Q"), x=alt.XValue(0), text=alt.Text("label:N")),
    ]
    title = title or _("Enrollment against plan, with the forecast's 10–90 % band")
    return _finish(alt.layer(*layers).properties(width=WIDTH, height=HEIGHT), title)


def cumulative(days: Iterable[dt.date | None]) -> list[tuple[str, int]]:
    """(day, how many by that day) for each distinct day given, in order; empty days are left out."""
    counts: dict[str, int] = {}
    for day in sorted(d for d in days if d is not None):
        counts[_day(day)] = counts.get(_day(day), 0) + 1
    running, steps = 0, []
    for day, count in counts.items():
        running += count
        steps.append((day, running))
    return steps


def site_activation(
    planned: Iterable[dt.date | None],
    actual: Iterable[dt.date | None],
    *,
    today: dt.date,
    title: str = "",
) -> dict | None:
    """Cumulative sites activated by each day, as planned (planned activation dates) and as done
    (activation dates), stepping on each date; both lines run on to `today` (or the last planned date)."""
    plan, done = cumulative(planned), cumulative(actual)
    if not plan and not done:
        return None
    end = max([_day(today), *(day for day, _ in plan)])
    rows = []
    planned_label, actual_label = _("Planned"), _("Actual")
    for series, steps in ((planned_label, plan), (actual_label, done)):
        if steps and steps[-1][0] < end:  # each line runs on to the chart's end at its last height
            steps = [*steps, (end, steps[-1][1])]
        rows += [{"on": day, "sites": n, "series": series} for day, n in steps]
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_line(interpolate="step-after", strokeWidth=2, point=True)
        .encode(
            x=alt.X("on:T", title=_("Date"), axis=alt.Axis(format="%b %Y")),
            y=alt.Y("sites:Q", title=_("Sites activated"), axis=alt.Axis(tickMinStep=1)),
            color=_series([planned_label, actual_label], [PLAN, ACTUAL]),
        )
        .properties(width=WIDTH, height=HEIGHT)
    )
    return _finish(chart, title or _("Site activation: planned and actual"))


def milestone_timeline(milestones: list[dict], *, today: dt.date, title: str = "") -> dict | None:
    """A Gantt of milestones ({"label", "baseline_on", "forecast_on", "actual_on", "late"}): each bar
    runs from the baseline date to the actual date (or the forecast while not done, or today while
    overdue), red when late; a tick marks the baseline, a rule today."""
    states = [_("Done, on time"), _("Done, late"), _("Planned, on time"), _("Planned, late")]
    rows = []
    for order, m in enumerate(milestones):
        start = m.get("baseline_on") or m.get("forecast_on") or m.get("actual_on")
        end = m.get("actual_on") or m.get("forecast_on") or (today if m.get("late") else start)
        if start is None:
            continue
        begin, finish = sorted([_day(start), _day(end)])
        state = states[(0 if m.get("actual_on") else 2) + (1 if m.get("late") else 0)]
        rows.append({"label": m["label"], "start": begin, "end": finish, "state": state, "order": order})
    if not rows:
        return None
    y = alt.Y("label:N", title=None, sort=alt.EncodingSortField("order"), axis=alt.Axis(labelLimit=220))
    bars = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar(size=10, cornerRadius=2)
        .encode(
            x=alt.X("start:T", title=_("Date"), axis=alt.Axis(format="%b %Y")),
            x2=alt.X2("end:T"),
            y=y,
            color=alt.Color(
                "state:N", scale=alt.Scale(domain=states, range=[ON_TIME, LATE, NEUTRAL, "#f59e0b"])
            ),
        )
    )
    ticks = (
        alt.Chart(alt.Data(values=rows))
        .mark_tick(color="#111827", thickness=2)
        .encode(x=alt.X("start:T"), y=y)
    )
    now = alt.Chart(alt.Data(values=[{"on": _day(today)}])).mark_rule(color="#111827", strokeDash=[2, 2])
    chart = alt.layer(bars, ticks, now.encode(x=alt.X("on:T"))).properties(
        width=WIDTH, height=max(80, 26 * len(rows))
    )
    return _finish(chart, title or _("Milestones: baseline to actual or forecast"))


def kri_funnel(
    sites: list[dict],
    bounds: list[dict],
    *,
    title: str,
    x_title: str = "",
    y_title: str = "",
) -> dict | None:
    """A KRI's funnel plot: each site's metric against its denominator ({"site", "denominator",
    "metric", "flag"} with flag "Red", "Amber", "Green" or "Not scored") and the bound curves in long
    form ({"denominator", "metric", "threshold"}; threshold 0 is the centre line), narrowing as the
    denominator grows, as gsm draws them."""
    if not sites:
        return None
    flags = {flag: _(flag) for flag in ("Red", "Amber", "Green", "Not scored")}
    sites = [{**site, "flag": flags.get(site["flag"], site["flag"])} for site in sites]
    x = alt.X("denominator:Q", title=x_title or _("Denominator"))
    centre = _("Centre")
    curves = [
        {**row, "bound": centre if row["threshold"] == 0 else f"±{abs(row['threshold']):g}"} for row in bounds
    ]
    kinds = sorted({row["bound"] for row in curves}, key=lambda k: (k != centre, k))
    layers = [
        alt.Chart(alt.Data(values=curves))
        .mark_line(strokeWidth=1.2)
        .encode(
            x=x,
            y=alt.Y("metric:Q", title=y_title or _("Metric")),
            detail=alt.Detail("threshold:N"),
            strokeDash=alt.StrokeDash("bound:N", scale=alt.Scale(domain=kinds), title=_("Bound")),
            color=alt.ColorValue(PLAN),
        ),
        alt.Chart(alt.Data(values=sites))
        .mark_circle(size=70, opacity=0.9)
        .encode(
            x=x,
            y=alt.Y("metric:Q"),
            color=alt.Color(
                "flag:N",
                title=_("Flag"),
                scale=alt.Scale(domain=list(flags.values()), range=[LATE, "#f59e0b", ON_TIME, NEUTRAL]),
            ),
        ),
        alt.Chart(alt.Data(values=sites))
        .mark_text(align="left", dx=6, fontSize=10)
        .encode(x=x, y=alt.Y("metric:Q"), text=alt.Text("site:N")),
    ]
    return _finish(alt.layer(*layers).properties(width=WIDTH, height=HEIGHT), title)


def screening_funnel(stages: list[tuple[str, int | None]], *, title: str = "") -> dict | None:
    """Horizontal bars, one per stage in order (screened, eligible, consented, enrolled…); a stage whose
    count is None (hidden from the reader) is left out rather than drawn as zero."""
    rows = [
        {"stage": label, "count": count, "order": i}
        for i, (label, count) in enumerate(stages)
        if count is not None
    ]
    if not rows:
        return None
    y = alt.Y("stage:N", title=None, sort=alt.EncodingSortField("order"))
    base = alt.Chart(alt.Data(values=rows))
    chart = alt.layer(
        base.mark_bar(color=ACTUAL).encode(x=alt.X("count:Q", title=_("People")), y=y),
        base.mark_text(align="left", dx=4, fontSize=11).encode(
            x=alt.X("count:Q"), y=y, text=alt.Text("count:Q")
        ),
    ).properties(width=WIDTH, height=max(60, 28 * len(rows)))
    return _finish(chart, title or _("Screening funnel"))


def obligations_by_week(rows: list[dict], *, title: str = "") -> dict | None:
    """Stacked bars of obligations per week due ({"week" (its Monday), "status", "count"})."""
    if not rows:
        return None
    statuses = {status: _(status) for status in ("Met", "Late", "Overdue", "Open")}
    rows = [
        {**row, "week": _day(row["week"]), "status": statuses.get(row["status"], row["status"])}
        for row in rows
    ]
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(
            x=alt.X(
                "week:T",
                title=_("Week due (Monday)"),
                timeUnit="yearmonthdate",
                axis=alt.Axis(format="%d %b"),
            ),
            y=alt.Y("count:Q", title=_("Obligations"), stack=True),
            color=alt.Color(
                "status:N",
                scale=alt.Scale(domain=list(statuses.values()), range=[ON_TIME, "#f59e0b", LATE, NEUTRAL]),
            ),
        )
        .properties(width=WIDTH, height=HEIGHT)
    )
    return _finish(chart, title or _("Reporting obligations by week due"))


def to_png(spec: dict, *, scale: float = 2.0) -> bytes:
    """The chart as PNG, drawn offline by vl-convert (its own copy of Vega; no network)."""
    return _drawn(spec, "png", scale=scale)


def to_jpeg(spec: dict, *, scale: float = 2.0, quality: int = 92) -> bytes:
    """The chart as JPEG on white, drawn offline by vl-convert: what the PDF embeds, since a PDF carries
    JPEG data as it is (a PNG it must decode and compress again, several times slower)."""
    return _drawn(spec, "jpeg", scale=scale, quality=quality)


# Drawing a chart (vl-convert's Vega runtime, then its rasteriser) is most of a report's time, and the same
# specification always draws the same picture. So pictures are kept by a digest of what draws them (the
# specification, the format and its options, the Vega-Lite and vl-convert versions): the last few in this
# process, and every one as a file under DATA_DIR/charts/, shared by the web workers, the commands and the
# background tasks. A file is written under a temporary name and renamed into place (atomic on POSIX), so
# a process reads a whole picture or none; one not read for CACHE_DAYS is removed by the next process that
# draws a chart.
CACHE_DAYS = 30
_MEMORY: dict[str, bytes] = {}
_MEMORY_SIZE = 32
_pruned = False
log = logging.getLogger(__name__)


def chart_digest(spec: dict, kind: str, **options) -> str:
    """The digest a picture is kept under: the same for the same specification drawn the same way."""
    text = json.dumps(
        [VEGA_LITE, vl_convert.__version__, kind, sorted(options.items()), spec],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()


def cache_dir() -> Path:
    from django.conf import settings

    return Path(settings.DATA_DIR) / "charts"


def forget_pictures() -> None:
    """Forget the pictures this process keeps in memory (the files stay: see `cache_dir`)."""
    _MEMORY.clear()


def _drawn(spec: dict, kind: str, **options) -> bytes:
    digest = chart_digest(spec, kind, **options)
    picture = _MEMORY.get(digest)
    if picture is None:
        path = cache_dir() / digest[:2] / f"{digest}.{kind}"
        picture = _read(path)
        if picture is None:
            picture = _draw(spec, kind, **options)
            _write(path, picture)
        while len(_MEMORY) >= _MEMORY_SIZE:
            _MEMORY.pop(next(iter(_MEMORY)), None)
        _MEMORY[digest] = picture
    return picture


def _draw(spec: dict, kind: str, *, scale: float, quality: int = 92) -> bytes:
    png = vl_convert.vegalite_to_png(spec, vl_version=VEGA_LITE, scale=scale)
    if kind == "png":
        return png
    # vl-convert's own JPEG costs a third more than its PNG (measured: benchmarks/README.md, bench_report);
    # Pillow turns the PNG into a JPEG on white in a few milliseconds.
    with Image.open(io.BytesIO(png)) as image:
        picture = Image.new("RGB", image.size, "white")
        picture.paste(image, mask=image.getchannel("A") if "A" in image.getbands() else None)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=quality)
    return out.getvalue()


def _read(path: Path) -> bytes | None:
    try:
        picture = path.read_bytes()
        os.utime(path)  # read now: not removed for another CACHE_DAYS
    except OSError:
        return None
    return picture or None


def _write(path: Path, picture: bytes) -> None:
    """Keep `picture` at `path` for the other processes; a cache that cannot be written is only slower."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".drawing-")
        with os.fdopen(handle, "wb") as file:
            file.write(picture)
        os.replace(temporary, path)
    except OSError as error:
        log.warning("A chart could not be kept in %s: %s", path.parent, error)
        return
    _prune(path.parent.parent)


def _prune(root: Path) -> None:
    """Once a process, remove the pictures nobody has read for CACHE_DAYS (and drawings left half-written)."""
    global _pruned
    if _pruned:
        return
    _pruned = True
    before = time.time() - CACHE_DAYS * 86400
    for path in root.glob("*/*"):
        try:
            if path.stat().st_mtime < before:
                path.unlink()
        except OSError:
            continue


def to_svg(spec: dict) -> str:
    """The chart as SVG text, drawn offline by vl-convert."""
    return vl_convert.vegalite_to_svg(spec, vl_version=VEGA_LITE)


def budget_burn(
    months: list[dict], *, budget: float, eac: dict[str, float], currency: str, title: str = ""
) -> dict | None:
    """Cumulative earned and paid by month ({"month": "YYYY-MM", "earned", "paid"}), the budget as a
    rule and the estimate at completion's median with its 10–90 % range ("0.1", "0.5", "0.9")."""
    if not months:
        return None
    earned, paid, budget_label = _("Earned"), _("Paid"), _("Budget")
    median = _("Estimate at completion (median)")
    rows = [
        {"month": f"{m['month']}-01", "amount": m[key], "series": label}
        for m in months
        for key, label in (("earned", earned), ("paid", paid))
    ]
    x = alt.X("month:T", title=_("Month"), axis=alt.Axis(format="%b %Y"))
    y_title = _("Cumulative (%(currency)s)") % {"currency": currency}
    marks = [
        {"amount": budget, "series": budget_label},
        {"amount": eac["0.5"], "series": median},
    ]
    band = [{"low": eac["0.1"], "high": eac["0.9"]}]
    colour = _series([earned, paid, budget_label, median], [ACTUAL, ON_TIME, PLAN, FORECAST])
    layers = [
        alt.Chart(alt.Data(values=band))
        .mark_rect(opacity=0.12, color=FORECAST)
        .encode(y=alt.Y("low:Q"), y2=alt.Y2("high:Q")),
        alt.Chart(alt.Data(values=rows))
        .mark_line(strokeWidth=2, point=True)
        .encode(x=x, y=alt.Y("amount:Q", title=y_title), color=colour),
        alt.Chart(alt.Data(values=marks))
        .mark_rule(strokeDash=[4, 3], strokeWidth=2)
        .encode(y=alt.Y("amount:Q"), color=colour),
    ]
    title = title or _("Budget against spend and the estimate at completion (%(currency)s)") % {
        "currency": currency
    }
    return _finish(alt.layer(*layers).properties(width=WIDTH, height=HEIGHT), title)
