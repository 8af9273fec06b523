"""Pure rules of the statistics app: how a forecast's probability of reaching the target on time reads."""

from trialdesk.core.extensions import AMBER, GREEN, RED, UNKNOWN

#: Probability bands the portfolio colours studies by: (lowest probability, band), highest first.
PROBABILITY_BANDS = ((0.8, "good"), (0.5, "watch"), (0.0, "poor"))
#: The enrollment health colour of each band (the same thresholds: one place for them).
BAND_COLOURS = {"good": GREEN, "watch": AMBER, "poor": RED, "none": UNKNOWN}

# Forecast states, as statistics.models.ForecastState stores them.
FORECAST = "forecast"
NOT_ENOUGH_DATA = "not_enough_data"
TARGET_REACHED = "target_reached"


def probability_band(probability: float | None) -> str:
    """'good' (≥ 0.8), 'watch' (0.5–0.8), 'poor' (< 0.5), or 'none' when there is no forecast."""
    if probability is None:
        return "none"
    return next(band for lowest, band in PROBABILITY_BANDS if probability >= lowest)


def enrollment_health(
    *,
    state: str | None,
    probability: float | None,
    reason: str = "",
    green_from: float = PROBABILITY_BANDS[0][0],
    amber_from: float = PROBABILITY_BANDS[1][0],
) -> tuple[str, str]:
    """(colour, why) of a study's enrollment from its latest stored forecast (state None: none stored).

    Green from an 80% probability of reaching the target by the planned last participant in, amber from
    50%, red below (the study's CRM may move both: `green_from`, `amber_from`); unknown with the reason
    when there is no forecast, too little data, or no planned end.
    """
    if state is None:
        return UNKNOWN, "no forecast yet"
    if state == TARGET_REACHED:
        return GREEN, "target reached"
    if state == NOT_ENOUGH_DATA:
        return UNKNOWN, f"not enough data for a forecast{': ' + reason if reason else ''}"
    if probability is None:
        return UNKNOWN, "no planned last participant in date to forecast against"
    colour = GREEN if probability >= green_from else AMBER if probability >= amber_from else RED
    return (
        colour,
        f"{probability:.0%} probability of reaching the target by the planned last participant in",
    )


# Priors for a study with too little data of its own ------------------------------------------------

#: Where the forecast's distribution of site rates comes from, in order of preference after a typed rate.
PRIOR_TYPED = "typed"
PRIOR_STUDY = "study"
PRIOR_INSTITUTIONS = "same_institutions"
PRIOR_AREA = "same_therapeutic_area"
PRIOR_TRIALDESK = "all_studies"
PRIOR_NONE = "none"
HISTORY_SOURCES = (PRIOR_INSTITUTIONS, PRIOR_AREA, PRIOR_TRIALDESK)
#: A history prior needs this many sites with days open: fewer cannot say how rates vary between sites
#: (and one site's rate would be readable from it).
MIN_HISTORY_SITES = 2


def study_has_enough_data(*, recruiting_sites: int, recruits: int) -> bool:
    """The study's own counts fit a rate distribution: two sites recruiting and somebody recruited."""
    return recruiting_sites >= 2 and recruits >= 1


def prior_source(
    *, typed: bool, recruiting_sites: int, recruits: int, history: dict[str, tuple[int, int]]
) -> str:
    """Which rate prior the forecast uses. ``history`` maps each of HISTORY_SOURCES to (sites, recruits).

    A typed rate wins (the planner said so); then the study's own sites when they are enough; then the
    same institutions in earlier studies, the same therapeutic area, all earlier studies in Trialdesk —
    the first with MIN_HISTORY_SITES sites and a recruit; otherwise none (the page asks for a rate).
    """
    if typed:
        return PRIOR_TYPED
    if study_has_enough_data(recruiting_sites=recruiting_sites, recruits=recruits):
        return PRIOR_STUDY
    for source in HISTORY_SOURCES:
        sites, recruited = history.get(source, (0, 0))
        if sites >= MIN_HISTORY_SITES and recruited >= 1:
            return source
    return PRIOR_NONE


# The recruitment plan ------------------------------------------------------------------------------

#: Most participants or activations one plan line may hold (a guard against typing errors).
MOST_PER_LINE = 100_000
PLAN_FIELDS = ("month", "country", "site", "planned_activations", "planned_enrollment")


def month_of(day) -> str:
    """The plan's month key of a date: "2026-03"."""
    return f"{day.year:04d}-{day.month:02d}"


def months_from(first: str, last: str) -> list[str]:
    """Every month key from ``first`` to ``last`` inclusive ("2026-11", "2027-01" → three months)."""
    year, month = int(first[:4]), int(first[5:])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def plan_line_problems(
    lines: list[dict], *, site_countries: dict[str, str]
) -> tuple[list[dict], dict[str, str]]:
    """The plan's lines made uniform, and what is wrong with them keyed "lines.N.field" (N from 0).

    A line needs a month (YYYY-MM) and a country (ISO 3166-1 alpha-2; taken from the site's institution
    when only the site is given, and it must be that country when both are); the site, if any, is a
    site number of the study; counts are whole numbers from 0 to MOST_PER_LINE; a site activates once,
    so its lines hold one planned activation at most in all; no two lines share month, country and site.
    """
    if not lines:
        return [], {"lines": "The plan needs at least one line (month, country, planned enrollment)."}
    problems: dict[str, str] = {}
    cleaned, seen, activations = [], {}, {}
    for index, line in enumerate(lines):
        row = _plan_line(line, index, site_countries, problems)
        key = (row["month"], row["country"], row["site"])
        if key in seen:
            problems.setdefault(
                f"lines.{index}.month",
                f"Line {index + 1} repeats line {seen[key] + 1} (same month, country, site).",
            )
        seen.setdefault(key, index)
        if row["site"] and isinstance(row["planned_activations"], int):
            activations[row["site"]] = activations.get(row["site"], 0) + row["planned_activations"]
            if activations[row["site"]] > 1:
                problems.setdefault(
                    f"lines.{index}.planned_activations",
                    f"Site {row['site']} can be planned to activate once only.",
                )
        cleaned.append(row)
    return cleaned, problems


def _plan_line(line: dict, index: int, site_countries: dict[str, str], problems: dict[str, str]) -> dict:
    def problem(field: str, message: str) -> None:
        problems.setdefault(f"lines.{index}.{field}", f"Line {index + 1}: {message}")

    month = str(line.get("month") or "").strip()
    if not _is_month(month):
        problem("month", f"{month!r} is not a month; write YYYY-MM, e.g. 2026-03.")
    site = str(line.get("site") or "").strip()
    country = str(line.get("country") or "").strip().upper()
    if site and site not in site_countries:
        problem("site", f"the study has no site {site!r}.")
    elif site:
        if country and country != site_countries[site]:
            problem("country", f"site {site} is in {site_countries[site]}, not {country}.")
        country = country or site_countries[site]
    unknown_site = bool(site) and site not in site_countries
    if not (unknown_site and not country) and (
        len(country) != 2 or not country.isalpha() or not country.isascii()
    ):
        problem("country", f"{country!r} is not a two-letter country code (ISO 3166-1 alpha-2).")
    counts = {}
    for field in ("planned_activations", "planned_enrollment"):
        value = line.get(field)
        value = 0 if value in (None, "") and field == "planned_activations" else value
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MOST_PER_LINE:
            problem(field, f"{value!r} is not a whole number from 0 to {MOST_PER_LINE}.")
        counts[field] = value
    return {"month": month, "country": country, "site": site, **counts}


def _is_month(text: str) -> bool:
    return (
        len(text) == 7
        and text[4] == "-"
        and text[:4].isdigit()
        and text[5:].isdigit()
        and 1900 <= int(text[:4]) <= 2200
        and 1 <= int(text[5:]) <= 12
    )


def variance_by_month(planned: dict[str, int], actual: dict[str, int], months: list[str]) -> list[dict]:
    """Per month: planned, actual and their difference (actual − planned, negative = behind plan), and
    the same cumulated from the first month.

    >>> [r["cumulative_variance"] for r in variance_by_month({"2026-01": 2, "2026-02": 3}, {"2026-02": 4},
    ...                                                      ["2026-01", "2026-02"])]
    [-2, -1]
    """
    rows, total_planned, total_actual = [], 0, 0
    for month in months:
        plan, done = planned.get(month, 0), actual.get(month, 0)
        total_planned += plan
        total_actual += done
        rows.append(
            {
                "month": month,
                "planned": plan,
                "actual": done,
                "variance": done - plan,
                "cumulative_planned": total_planned,
                "cumulative_actual": total_actual,
                "cumulative_variance": total_actual - total_planned,
            }
        )
    return rows
