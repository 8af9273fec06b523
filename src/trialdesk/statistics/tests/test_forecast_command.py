"""`trialdesk forecast enrollment`, as a study manager runs it on a sites.csv."""

import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from trialdesk.analytics.forecasting import estimate_rate_prior

SITES = """\
site,activated_on,planned_activation_on,enrolled,closed_on
S01,2025-10-01,2025-09-15,40,
S02,2025-11-15,2025-11-01,22,
S03,2026-01-10,2025-12-01,9,
S04,2026-02-01,2026-02-01,18,
S05,2026-03-20,2026-03-01,3,
S06,2025-12-01,2025-11-20,12,2026-05-31
S07,,2026-07-15,0,
S08,,2026-09-01,0,
"""
ENROLLED = 104
BASE = ("--target", "300", "--as-of", "2026-06-30", "--sims", "2000")


@pytest.fixture
def sites_csv(tmp_path) -> Path:
    path = tmp_path / "sites.csv"
    path.write_text(SITES, encoding="utf-8")
    return path


def forecast(path: Path, *options: str) -> str:
    out = io.StringIO()
    call_command("forecast", "enrollment", "--sites", str(path), *options, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def forecast_json(path: Path, *options: str) -> dict:
    return json.loads(forecast(path, *BASE, *options, "--json"))


def days_after_as_of(text: str) -> int:
    return (date.fromisoformat(text) - date(2026, 6, 30)).days


def test_json_has_exactly_the_documented_keys(sites_csv):
    answer = forecast_json(sites_csv, "--planned-end", "2027-03-31")

    assert list(answer) == [
        "target",
        "enrolled",
        "quantiles",
        "probability_by_planned_end",
        "alpha",
        "beta",
        "curve",
        "sites",
    ]
    assert (answer["target"], answer["enrolled"]) == (300, ENROLLED)
    assert list(answer["quantiles"]) == ["0.05", "0.1", "0.5", "0.9", "0.95"]
    assert {tuple(point) for point in answer["curve"]} == {("week", "mean", "lower", "upper")}
    assert {tuple(site) for site in answer["sites"]} == {("site", "rate_per_day", "predicted_by_planned_end")}
    assert 0 <= answer["probability_by_planned_end"] <= 1


def test_json_quantiles_are_ordered_dates_and_the_chosen_level_adds_its_bounds_only_when_new(sites_csv):
    at_80 = forecast_json(sites_csv, "--level", "0.8")
    at_50 = forecast_json(sites_csv, "--level", "0.5")

    assert list(at_80["quantiles"]) == ["0.1", "0.5", "0.9"]
    assert list(at_50["quantiles"]) == ["0.1", "0.25", "0.5", "0.75", "0.9"]
    dates = [days_after_as_of(day) for day in at_50["quantiles"].values()]
    assert dates == sorted(dates) and dates[0] > 0


def test_json_curve_runs_weekly_from_the_as_of_date_and_sites_follow_the_file(sites_csv):
    answer = forecast_json(sites_csv, "--planned-end", "2027-03-31")

    weeks = [days_after_as_of(point["week"]) for point in answer["curve"]]
    assert weeks == list(range(0, 7 * len(weeks), 7))
    assert weeks[-1] >= days_after_as_of("2027-03-31")
    first = answer["curve"][0]
    assert (first["mean"], first["lower"], first["upper"]) == (ENROLLED, ENROLLED, ENROLLED)
    assert [site["site"] for site in answer["sites"]] == [f"S0{i}" for i in range(1, 9)]
    closed = answer["sites"][5]
    assert closed["predicted_by_planned_end"] == 12  # S06 closed before the as-of date: no more recruits


def test_json_alpha_and_beta_are_the_estimate_from_the_active_sites(sites_csv):
    answer = forecast_json(sites_csv)

    counts = [40, 22, 9, 18, 3, 12]
    days = [272, 227, 171, 149, 102, 181]  # to 2026-06-30, or to S06's closing on 2026-05-31
    expected = estimate_rate_prior(counts, days)
    assert answer["alpha"] == pytest.approx(expected.alpha, rel=1e-9)
    assert answer["beta"] == pytest.approx(expected.beta, rel=1e-9)


def test_without_planned_end_probability_and_site_predictions_are_null(sites_csv):
    answer = forecast_json(sites_csv)

    assert answer["probability_by_planned_end"] is None
    assert {site["predicted_by_planned_end"] for site in answer["sites"]} == {None}


def test_the_same_seed_gives_the_same_answer(sites_csv):
    assert forecast_json(sites_csv, "--seed", "7") == forecast_json(sites_csv, "--seed", "7")


def test_what_if_more_sites_bring_the_median_forward_and_a_closed_site_pushes_it_back(sites_csv):
    base = forecast_json(sites_csv, "--planned-end", "2027-03-31")
    more = forecast_json(sites_csv, "--planned-end", "2027-03-31", "--add-sites", "5@2026-08-01")
    fewer = forecast_json(sites_csv, "--planned-end", "2027-03-31", "--close-site", "S01")

    median = {
        name: days_after_as_of(a["quantiles"]["0.5"])
        for name, a in [("base", base), ("more", more), ("fewer", fewer)]
    }
    assert median["more"] < median["base"] < median["fewer"]
    assert more["probability_by_planned_end"] >= base["probability_by_planned_end"]
    assert [s["site"] for s in more["sites"]][-5:] == [f"added-{i}" for i in range(1, 6)]
    assert fewer["sites"][0]["predicted_by_planned_end"] == 40


def test_what_ifs_combine_and_repeat(sites_csv):
    answer = forecast_json(
        sites_csv, "--add-sites", "2@2026-08-01", "--add-sites", "3@2026-10-01", "--close-site", "S02"
    )
    assert len(answer["sites"]) == 8 + 5


def test_readable_output_shows_the_dates_and_what_if_beside_the_plan(sites_csv):
    text = forecast(sites_csv, *BASE, "--planned-end", "2027-03-31", "--add-sites", "5@2026-08-01")

    assert f"{ENROLLED} of 300 enrolled" in text
    assert "Date the target is reached" in text
    for label in ("50% chance by", "probability by planned end", "as planned", "what-if", "added-5"):
        assert label in text


def test_a_prior_stands_in_when_no_site_is_active_yet(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text("site,activated_on,planned_activation_on,enrolled\nA,,2026-07-15,0\nB,,2026-08-01,0\n")

    answer = forecast_json(path, "--prior", "2,40")

    assert (answer["alpha"], answer["beta"]) == (2.0, 40.0)
    assert {site["rate_per_day"] for site in answer["sites"]} == {0.05}


def test_a_site_list_without_closed_on_column_is_accepted(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text("site,activated_on,planned_activation_on,enrolled\nA,2026-01-01,,10\nB,2026-02-01,,3\n")
    assert forecast_json(path)["enrolled"] == 13


def with_row(line: int, row: str) -> str:
    lines = SITES.splitlines()
    lines[line - 1] = row
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("csv_text", "options", "message"),
    [
        (
            SITES.replace(",enrolled,", ",count,"),
            BASE,
            "sites.csv column enrolled: the required column enrolled (enrolled) is missing",
        ),
        (
            with_row(3, "S02,2025-11-15,2025-11-01,abc,"),
            BASE,
            "sites.csv row 3, column enrolled: 'abc' is not a whole number",
        ),
        (
            with_row(2, "S01,2025-10-01,2025-09-15,-4,"),
            BASE,
            "sites.csv row 2, column enrolled: -4 is negative",
        ),
        (
            with_row(4, "S03,2026-02-30,2025-12-01,9,"),
            BASE,
            "row 4, column activated_on: '2026-02-30' is not a date",
        ),
        (
            with_row(9, "S08,,,0,"),
            BASE,
            "row 9, column planned_activation_on: is needed when activated_on is empty",
        ),
        (with_row(3, "S01,2025-11-15,2025-11-01,22,"), BASE, "row 3, column site: 'S01' appears twice"),
        (with_row(9, "S08,,2026-09-01,2,"), BASE, "site 'S08': 2 enrolled but no activated_on"),
        (with_row(2, "S01,2026-07-10,2025-09-15,40,"), BASE, "site 'S01': activated_on 2026-07-10 is after"),
        (with_row(2, "S01,2025-10-01,,40,2025-09-01"), BASE, "site 'S01': closed_on 2025-09-01 is before"),
        ("site,activated_on,planned_activation_on,enrolled\n", BASE, "sites.csv: has no sites"),
        (
            SITES,
            ("--target", "100", "--as-of", "2026-06-30"),
            "--target 100 is already reached: 104 enrolled",
        ),
        (SITES, ("--target", "lots", "--as-of", "2026-06-30"), "--target 'lots' is not a whole number"),
        (SITES, ("--target", "300", "--as-of", "30/06/2026"), "--as-of '30/06/2026' is not a date"),
        (SITES, (*BASE, "--level", "1.5"), "--level 1.5 must be between 0 and 1"),
        (SITES, (*BASE, "--level", "0"), "--level 0 must be between 0 and 1"),
        (SITES, (*BASE, "--level", "high"), "--level 'high' is not a number"),
        (SITES, (*BASE, "--planned-end", "2026-01-01"), "--planned-end 2026-01-01 must be after --as-of"),
        (SITES, (*BASE, "--close-site", "S99"), "--close-site 'S99': no such site"),
        (
            SITES,
            (*BASE, "--add-sites", "five@2026-08-01"),
            "--add-sites 'five@2026-08-01' must be K@YYYY-MM-DD",
        ),
        (SITES, (*BASE, "--add-sites", "5@2026-13-01"), "--add-sites '2026-13-01' is not a date"),
        (SITES, (*BASE, "--add-sites", "5@2026-01-01"), "2026-01-01 is before --as-of"),
        (
            SITES,
            ("--target", "300", "--as-of", "2026-06-30", "--sims", "10"),
            "--sims 10 must be between 100",
        ),
        (SITES, (*BASE, "--prior", "2"), "--prior '2' must be ALPHA,BETA"),
        (SITES, (*BASE, "--prior", "2,-1"), "alpha and beta must be positive"),
        (
            "site,activated_on,planned_activation_on,enrolled\nA,2026-01-01,,10\nB,,2026-08-01,0\n",
            BASE,
            "at least two are needed to estimate how recruitment rates vary between sites; supply a prior "
            "(alpha, beta) instead with --prior ALPHA,BETA",
        ),
    ],
)
def test_bad_input_is_one_line_naming_the_field_and_exits_2(tmp_path, csv_text, options, message):
    path = tmp_path / "sites.csv"
    path.write_text(csv_text, encoding="utf-8")

    with pytest.raises(CommandError) as failure:
        forecast(path, *options)

    assert failure.value.returncode == 2
    assert message in str(failure.value)
    assert "\n" not in str(failure.value)


def test_every_bad_cell_of_the_sites_file_is_a_line_naming_its_row_and_column(tmp_path):
    path = tmp_path / "sites.csv"
    text = with_row(3, "S02,2025-11-15,2025-11-01,abc,").replace("S05,2026-03-20", "S05,2026-13-20")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as failure:
        forecast(path, *BASE)
    assert [line.removeprefix(str(path)) for line in str(failure.value).splitlines()] == [
        " row 3, column enrolled: 'abc' is not a whole number",
        " row 6, column activated_on: '2026-13-20' is not a date in the calendar",
    ]


def test_a_site_list_may_be_an_excel_workbook(tmp_path):
    from trialdesk.interop.tabular import Column
    from trialdesk.interop.xlsx import Sheet, write_workbook

    rows = [
        dict(zip(SITES.splitlines()[0].split(","), line.split(","), strict=True))
        for line in SITES.splitlines()[1:]
    ]
    columns = [Column(name, name) for name in SITES.splitlines()[0].split(",")]
    path = tmp_path / "sites.xlsx"
    path.write_bytes(write_workbook([Sheet("Sites", columns, rows)]))
    assert forecast_json(path)["enrolled"] == ENROLLED


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(CommandError, match="missing.csv: cannot be read") as failure:
        forecast(tmp_path / "missing.csv", *BASE)
    assert failure.value.returncode == 2


def test_the_console_script_exits_2_on_bad_input_and_prints_nothing_on_stdout(sites_csv):
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "trialdesk",
            "forecast",
            "enrollment",
            "--sites",
            str(sites_csv),
            *BASE,
            "--level",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr.strip() == "CommandError: --level 2 must be between 0 and 1"


def test_forecast_uses_no_global_random_state(sites_csv):
    np.random.seed(0)
    first = forecast_json(sites_csv)
    np.random.seed(12345)
    assert forecast_json(sites_csv) == first


def test_sites_activating_on_the_planned_end_add_nothing_by_then(sites_csv):
    planned_end = date(2027, 3, 31)
    answer = forecast_json(
        sites_csv, "--planned-end", planned_end.isoformat(), "--add-sites", f"1@{planned_end}"
    )
    assert answer["sites"][-1]["predicted_by_planned_end"] == 0
