"""`trialdesk forecast enrollment`: when will the study reach its target, from a CSV of its sites;
`trialdesk forecast refresh`: recompute the forecasts stored for the studies in the app."""

import json
from datetime import date
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError
from rich.table import Table

from trialdesk.analytics.forecasting import (
    EnrollmentForecast,
    EstimationError,
    RatePrior,
    SiteRoster,
    forecast_enrollment,
)
from trialdesk.core.management.rendering import print_rich
from trialdesk.interop import tabular

SITE_DATES = ("activated_on", "planned_activation_on", "closed_on")
SITE_COLUMNS = (
    tabular.Column("site", "site", required=True),
    tabular.Column("activated_on", "activated_on", tabular.DATE, required=True),
    tabular.Column("planned_activation_on", "planned_activation_on", tabular.DATE, required=True),
    tabular.Column("enrolled", "enrolled", tabular.INTEGER, required=True),
    tabular.Column("closed_on", "closed_on", tabular.DATE),
)
XLSX = (".xlsx", ".xlsm")
#: Sites × simulations held in memory at once (several float arrays of this size); about 400 MB each.
MAX_SITE_SIMULATIONS = 50_000_000


def bad_input(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = "Forecast enrollment with the Poisson–gamma recruitment model (Anisimov & Fedorov 2007)."
    requires_system_checks = []

    def add_arguments(self, parser):
        forecasts = parser.add_subparsers(dest="forecast", required=True, metavar="{enrollment,refresh}")
        enrollment = forecasts.add_parser(
            "enrollment",
            help="completion-date quantiles, probability by the planned end, weekly curve, per-site "
            "predictions",
        )
        enrollment.add_argument(
            "--sites",
            required=True,
            metavar="CSV",
            help="columns site, activated_on (empty if not yet active), planned_activation_on, enrolled, "
            "optionally closed_on; dates as YYYY-MM-DD",
        )
        enrollment.add_argument("--target", required=True, metavar="N", help="participants the study needs")
        enrollment.add_argument("--as-of", required=True, metavar="DATE", help="date the counts are taken")
        enrollment.add_argument("--planned-end", metavar="DATE", help="planned last-participant-in date")
        enrollment.add_argument("--level", default="0.9", help="central interval to report (default 0.9)")
        enrollment.add_argument("--sims", default="10000", help="Monte Carlo simulations (default 10000)")
        enrollment.add_argument(
            "--seed", default="1", help="random seed; the same inputs give the same dates"
        )
        enrollment.add_argument(
            "--add-sites",
            action="append",
            default=[],
            metavar="K@DATE",
            help="what-if: K more sites activating on DATE (repeatable)",
        )
        enrollment.add_argument(
            "--close-site", action="append", default=[], metavar="SITE", help="what-if: SITE stops now"
        )
        enrollment.add_argument(
            "--prior",
            metavar="ALPHA,BETA",
            help="use this Gamma(alpha, beta) rate distribution instead of estimating it (needed with "
            "fewer than two active sites or no recruit yet)",
        )
        enrollment.add_argument(
            "--json",
            action="store_true",
            help="print JSON: target, enrolled, quantiles, probability_by_planned_end, alpha, beta, "
            "curve (week = date of each weekly point from the as-of date), sites",
        )
        refresh = forecasts.add_parser(
            "refresh", help="recompute the enrollment forecasts stored for the studies (all, or one)"
        )
        refresh.add_argument("--study", metavar="CODE", help="only this study (its protocol code)")

    def handle(self, *args, **options):
        if options["forecast"] == "refresh":
            return self.refresh(options["study"])
        as_of = parse_date("--as-of", options["as_of"])
        planned_end = parse_date("--planned-end", options["planned_end"]) if options["planned_end"] else None
        if planned_end is not None and planned_end <= as_of:
            raise bad_input(f"--planned-end {planned_end} must be after --as-of {as_of}")
        level = parse_number("--level", options["level"], float)
        if not 0 < level < 1:
            raise bad_input(f"--level {options['level']} must be between 0 and 1")
        target = parse_number("--target", options["target"], int)
        seed = parse_number("--seed", options["seed"], int)
        roster = read_sites(Path(options["sites"]))
        sims = parse_sims(options["sims"], len(roster.names))
        enrolled = int(roster.enrolled.sum())
        if target <= enrolled:
            raise bad_input(f"--target {target} is already reached: {enrolled} enrolled")
        scenario = apply_what_ifs(roster, options["add_sites"], options["close_site"], as_of)
        prior = parse_prior(options["prior"]) if options["prior"] else None

        def run(sites: SiteRoster) -> EnrollmentForecast:
            try:
                return forecast_enrollment(
                    sites,
                    as_of=as_of,
                    target=target,
                    rng=np.random.default_rng(seed),
                    sims=sims,
                    level=level,
                    planned_end=planned_end,
                    prior=prior,
                )
            except EstimationError as error:
                raise bad_input(f"{options['sites']}: {error} with --prior ALPHA,BETA") from error
            except ValueError as error:
                raise bad_input(f"{options['sites']}: {error}") from error

        forecast = run(scenario)
        if options["json"]:
            self.stdout.write(json.dumps(forecast_document(forecast), indent=2))
            return
        baseline = run(roster) if scenario is not roster else None
        self.stdout.write(
            f"Enrollment forecast as of {as_of}: {forecast.enrolled} of {forecast.target} enrolled; "
            f"site rates ~ Gamma(alpha={forecast.prior.alpha:.3g}, beta={forecast.prior.beta:.3g}), "
            f"mean {forecast.prior.mean_rate:.3g} per site per day"
        )
        print_rich(self.stdout, summary_table(forecast, baseline))
        print_rich(self.stdout, sites_table(forecast))

    def refresh(self, code: str | None) -> None:
        # Here, not at the top: `enrollment` runs offline, before the apps are loaded (trialdesk.cli).
        from trialdesk.statistics.forecasts import refresh_enrollment_forecast
        from trialdesk.studies.models import Study

        studies = Study.objects.order_by("code")
        if code is not None:
            studies = studies.filter(code=code)
            if not studies.exists():
                raise bad_input(f"--study {code!r}: no such study")
        for study in studies:
            snapshot = refresh_enrollment_forecast(study=study)
            if snapshot.has_forecast:
                probability = snapshot.probability_by_planned_end
                chance = "" if probability is None else f", {probability:.0%} by the planned end"
                summary = f"median {snapshot.completion_p50 or 'not reached'}{chance}"
            else:
                summary = snapshot.reason or snapshot.get_state_display()
            self.stdout.write(f"{study.code}: {snapshot.enrolled} of {snapshot.target} enrolled; {summary}")


def parse_date(field: str, text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise bad_input(f"{field} {text!r} is not a date (YYYY-MM-DD)") from None


def parse_number(field: str, text: str, kind: type):
    try:
        return kind(text)
    except ValueError:
        raise bad_input(f"{field} {text!r} is not a {'whole ' if kind is int else ''}number") from None


def parse_sims(text: str, sites: int) -> int:
    sims = parse_number("--sims", text, int)
    most = max(100, MAX_SITE_SIMULATIONS // max(sites, 1))
    if not 100 <= sims <= most:
        raise bad_input(f"--sims {sims} must be between 100 and {most} for {sites} sites")
    return sims


def parse_prior(text: str) -> RatePrior:
    parts = text.split(",")
    if len(parts) != 2:
        raise bad_input(f"--prior {text!r} must be ALPHA,BETA")
    alpha, beta = (parse_number("--prior", part, float) for part in parts)
    if not (alpha > 0 and beta > 0 and np.isfinite(alpha) and np.isfinite(beta)):
        raise bad_input(f"--prior {text!r}: alpha and beta must be positive")
    return RatePrior(alpha=alpha, beta=beta)


def read_sites(path: Path) -> SiteRoster:
    """The sites file (CSV, or an .xlsx workbook) through the shared reader (interop.tabular); every bad
    cell is a line naming its row and column, e.g. `sites.csv row 3, column enrolled: 'abc' is not a
    whole number`."""
    try:
        content = path.read_bytes()
    except OSError as error:
        raise bad_input(f"{path}: cannot be read ({error.strerror})") from None
    try:
        read = tabular.read_table if path.suffix.lower() in XLSX else tabular.read_csv
        table = read(content, str(path))
    except tabular.TableError as error:
        raise bad_input(str(error)) from None
    match = tabular.match_columns(table, SITE_COLUMNS)
    if match.problems:
        raise bad_input(located(path, match.problems))
    rows = tabular.typed_rows(table, SITE_COLUMNS, match)
    problems = [problem for row in rows for problem in row.problems] + site_problems(rows)
    if problems:
        raise bad_input(located(path, sorted(problems, key=lambda p: p.row or 0)))
    if not rows:
        raise bad_input(f"{path}: has no sites")
    columns = {
        "names": [row.values["site"] for row in rows],
        "enrolled": [row.values["enrolled"] for row in rows],
        **{name: [row.values[name] for row in rows] for name in SITE_DATES},
    }
    try:
        return SiteRoster.from_columns(**columns)
    except ValueError as error:
        raise bad_input(f"{path}: {error}") from error


def site_problems(rows: list[tabular.TypedRow]) -> list[tabular.Problem]:
    """What is wrong with a row beyond its cells' kinds: no name, a name twice, a negative count, no date."""
    problems, first_row = [], {}
    for row in rows:
        name, enrolled, values = row.values["site"], row.values["enrolled"], row.values
        if name is None:
            problems.append(tabular.Problem("is empty; give the site's name", row.number, "site"))
        elif name in first_row:
            twice = f"{name!r} appears twice (first on row {first_row[name]})"
            problems.append(tabular.Problem(twice, row.number, "site"))
        if name is not None:
            first_row.setdefault(name, row.number)
        if enrolled is None and not any(p.column == "enrolled" for p in row.problems):
            problems.append(tabular.Problem("is empty; give a whole number", row.number, "enrolled"))
        elif enrolled is not None and enrolled < 0:
            problems.append(tabular.Problem(f"{enrolled} is negative", row.number, "enrolled"))
        if values["activated_on"] is None and values["planned_activation_on"] is None and not row.problems:
            problems.append(
                tabular.Problem("is needed when activated_on is empty", row.number, "planned_activation_on")
            )
    return problems


def located(path: Path, problems) -> str:
    return "\n".join(problem.located(str(path)) for problem in problems)


def apply_what_ifs(roster: SiteRoster, additions: list[str], closures: list[str], as_of: date) -> SiteRoster:
    scenario = roster
    for text in additions:
        count, _, day = text.partition("@")
        if not count.strip().isdigit() or int(count) < 1 or not day:
            raise bad_input(f"--add-sites {text!r} must be K@YYYY-MM-DD with K at least 1")
        opens_on = parse_date("--add-sites", day)
        if opens_on < as_of:
            raise bad_input(f"--add-sites {text!r}: {opens_on} is before --as-of {as_of}")
        scenario = scenario.with_added_sites(int(count), opens_on)
    for name in closures:
        if name not in roster.names:
            raise bad_input(f"--close-site {name!r}: no such site in the sites file")
        scenario = scenario.with_closed_sites([name], on=as_of)
    return scenario


def iso(day: np.datetime64) -> str | None:
    return None if np.isnat(day) else str(day)


def quantile_key(probability: float) -> str:
    return f"{probability:g}"


def forecast_document(forecast: EnrollmentForecast) -> dict:
    """The JSON answer; dates are ISO strings, null where the target is never reached."""
    predicted = forecast.site_predicted_by_planned_end
    return {
        "target": forecast.target,
        "enrolled": forecast.enrolled,
        "quantiles": {
            quantile_key(p): iso(day)
            for p, day in zip(forecast.quantile_levels, forecast.completion_on, strict=True)
        },
        "probability_by_planned_end": forecast.probability_by_planned_end,
        "alpha": forecast.prior.alpha,
        "beta": forecast.prior.beta,
        "curve": [
            {"week": iso(day), "mean": round(float(mean), 2), "lower": int(low), "upper": int(high)}
            for day, mean, low, high in zip(
                forecast.curve_on,
                forecast.curve_mean,
                forecast.curve_lower,
                forecast.curve_upper,
                strict=True,
            )
        ],
        "sites": [
            {
                "site": name,
                "rate_per_day": round(float(rate), 6),
                "predicted_by_planned_end": None if predicted is None else round(float(predicted[i]), 2),
            }
            for i, (name, rate) in enumerate(
                zip(forecast.site_names, forecast.site_rate_per_day, strict=True)
            )
        ],
    }


def summary_table(forecast: EnrollmentForecast, baseline: EnrollmentForecast | None) -> Table:
    table = Table(title="Date the target is reached")
    table.add_column("")
    if baseline is not None:
        table.add_column("as planned", justify="right")
    table.add_column("what-if" if baseline is not None else "date", justify="right")
    for p in forecast.quantile_levels:
        cells = [f"{p:.0%} chance by"]
        if baseline is not None:
            cells.append(iso(baseline.completion_quantile(p)) or "never")
        cells.append(iso(forecast.completion_quantile(p)) or "never")
        table.add_row(*cells)
    if forecast.probability_by_planned_end is not None:
        cells = ["probability by planned end"]
        if baseline is not None:
            cells.append(f"{baseline.probability_by_planned_end:.0%}")
        cells.append(f"{forecast.probability_by_planned_end:.0%}")
        table.add_row(*cells)
    return table


def sites_table(forecast: EnrollmentForecast) -> Table:
    table = Table(title="Sites")
    table.add_column("site")
    table.add_column("rate per day", justify="right")
    table.add_column("predicted by planned end", justify="right")
    predicted = forecast.site_predicted_by_planned_end
    for i, name in enumerate(forecast.site_names):
        table.add_row(
            name, f"{forecast.site_rate_per_day[i]:.4f}", "–" if predicted is None else f"{predicted[i]:.1f}"
        )
    return table
