"""`trialdesk rbqm score`, as a central monitor runs it on gsm's analytics-input files.

Expected figures: tests/data/reference/gsm/ (outputs of Gilead's gsm 2.2.3; see tests/data/README.md), to 1e-6
on Metric and Score and exactly on Flag.
"""

import csv
import io
import json
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.reference_data import REFERENCE_DATA

GSM = REFERENCE_DATA / "reference/gsm"
ANALYTICS_INPUT = GSM / "gsm_analyticsInput.csv"
HEADER = "SubjectID,GroupID,GroupLevel,Numerator,Denominator\n"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("rbqm", "score", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def refused(*args: str) -> CommandError:
    out = io.StringIO()
    with pytest.raises(CommandError) as refusal:
        call_command("rbqm", "score", *args, stdout=out, stderr=io.StringIO())
    assert out.getvalue() == ""  # nothing written
    assert refusal.value.returncode == 2
    assert "\n" not in str(refusal.value)
    return refusal.value


def read_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def expected_summary() -> list[dict]:
    with (GSM / "gsm_analyticsSummary_expected.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def assert_same_groups(rows: list[dict], expected: list[dict]) -> None:
    assert [r["GroupID"] for r in rows] == [e["GroupID"] for e in expected]
    for row, want in zip(rows, expected, strict=True):
        assert (float(row["Numerator"]), float(row["Denominator"])) == (
            float(want["Numerator"]),
            float(want["Denominator"]),
        )
        assert float(row["Metric"]) == pytest.approx(float(want["Metric"]), abs=1e-6)
        if want["Score"] in ("", "NA"):
            assert (row["Score"], row["Flag"]) == ("", "")
        else:
            assert float(row["Score"]) == pytest.approx(float(want["Score"]), abs=1e-6)
            assert int(row["Flag"]) == int(float(want["Flag"]))


@pytest.mark.parametrize("thresholds", [["--thresholds=-2,-1,2,3"], ["--thresholds", "-2,-1,2,3"]])
def test_normal_rate_csv_reproduces_gsm_analytics_summary(thresholds):
    output = run(
        "--input",
        str(ANALYTICS_INPUT),
        "--method",
        "normal",
        "--type",
        "rate",
        *thresholds,
        "--format",
        "csv",
    )

    rows = read_rows(output)
    assert list(rows[0]) == ["GroupID", "Numerator", "Denominator", "Metric", "Score", "Flag"]
    assert_same_groups(rows, expected_summary())  # in gsm's order too: severe flags first


def test_binary_kri_with_minimum_denominator_reproduces_gsm_reporting_results(tmp_path):
    """kri0006 (study discontinuation, binary, thresholds -3,-2,2,3, minimum denominator 3) of the
    2012-12-31 snapshot, one row per site, scored from the command line."""
    with (GSM / "gsm_reportingResults_2012-12-31.csv").open(newline="", encoding="utf-8") as handle:
        expected = [row for row in csv.DictReader(handle) if row["MetricID"] == "Analysis_kri0006"]
    source = tmp_path / "kri0006.csv"
    source.write_text(
        "GroupID,GroupLevel,Numerator,Denominator\n"
        + "".join(f"{r['GroupID']},Site,{r['Numerator']},{r['Denominator']}\n" for r in expected)
    )

    output = run(
        "--input",
        str(source),
        "--method",
        "normal",
        "--type",
        "binary",
        "--min-denominator",
        "3",
        "--format",
        "csv",
    )

    rows = {row["GroupID"]: row for row in read_rows(output)}
    assert_same_groups([rows[e["GroupID"]] for e in expected], expected)
    assert any(row["Score"] == "" for row in rows.values())  # a site below the minimum


def test_json_output_has_each_group_and_the_fit(tmp_path):
    output = run(
        "--input", str(ANALYTICS_INPUT), "--method", "normal", "--type", "rate",
        "--thresholds", "-2,-1,2,3", "--min-denominator", "1000", "--format", "json",
    )  # fmt: skip

    document = json.loads(output)
    assert (document["method"], document["type"], document["thresholds"]) == (
        "normal",
        "rate",
        [-2, -1, 2, 3],
    )
    assert document["dispersion"] > 1  # gsm's sample sites are over-dispersed
    groups = document["groups"]
    assert set(groups[0]) == {"GroupID", "Numerator", "Denominator", "Metric", "Score", "Flag"}
    assert len(groups) == 154
    small = [g for g in groups if g["Denominator"] < 1000]
    assert small and all(g["Score"] is None and g["Flag"] is None for g in small)
    assert all(g["Metric"] == g["Numerator"] / g["Denominator"] for g in small)


@pytest.mark.parametrize(
    ("method", "metric_type"), [("poisson", "rate"), ("fisher", "binary"), ("identity", "rate")]
)
def test_every_method_scores_every_site(method, metric_type):
    rows = read_rows(
        run("--input", str(ANALYTICS_INPUT), "--method", method, "--type", metric_type, "--format", "csv")
    )

    assert len(rows) == 154
    assert all(row["Score"] != "" and row["Flag"] != "" for row in rows)


def test_groups_with_zero_denominator_are_left_out_as_gsm_does(tmp_path):
    source = tmp_path / "input.csv"
    source.write_text(HEADER + "S1,A,Site,1,10\nS2,B,Site,0,0\nS3,C,Site,3,20\n")
    err = io.StringIO()

    call_command("rbqm", "score", "--input", str(source), "--method", "normal", "--type", "rate",
                 "--format", "csv", stdout=io.StringIO(), stderr=err)  # fmt: skip

    assert "1 group(s) with a Denominator of 0 left out, as gsm does: B" in err.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("SubjectID,GroupID,GroupLevel,Numerator\nS1,A,Site,1\n", "missing column Denominator"),
        (HEADER + "S1,A,Site,1,10\nS2,B,Site,two,10\n", "line 3: Numerator 'two' is not a number"),
        (HEADER + "S1,A,Site,1,10\nS2,B,Site,2,\n", "line 3: Denominator '' is not a number"),
        (HEADER + "S1,A,Site,1,10\nS2,B,Site,2,-4\n", "line 3: Denominator -4 is negative"),
        (HEADER + "S1,A,Site,1,10\nS2,B,Site,nan,4\n", "line 3: Numerator nan is not a finite number"),
        (HEADER + "S1,A,Site,1,10\nS2,,Site,2,4\n", "line 3: GroupID is empty"),
        (HEADER + "S1,A,Site,1,10\nS2,B,Site,2\n", "line 3: 4 fields where the header has 5"),
        (HEADER + "S1,A,Site,1,10\nS2,US,Country,2,4\n", "GroupLevel: the file mixes 'Country', 'Site'"),
        (HEADER, "no participant rows"),
        ("", "the file is empty"),
    ],
)
def test_bad_input_is_refused_in_one_line_naming_the_row_or_field(tmp_path, content, message):
    source = tmp_path / "input.csv"
    source.write_text(content)

    refusal = refused("--input", str(source), "--method", "normal", "--type", "rate", "--format", "csv")

    assert message in str(refusal)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--thresholds", "-3,-2,two,3"],
            "--thresholds: '-3,-2,two,3' is not a comma-separated list of numbers",
        ),
        (["--thresholds=-2,-3,2,3"], "--thresholds: thresholds must increase strictly"),
        (["--thresholds", "-3,-2,2"], "--thresholds: 3 thresholds cannot be split evenly"),
        (["--thresholds", "-2,2", "--flags", "-1,1"], "--flags: 2 thresholds need 3 flags, not 2"),
        (
            ["--min-denominator", "-1"],
            "--min-denominator: the minimum denominator must be a number of 0 or more",
        ),
    ],
)
def test_bad_options_are_refused_naming_the_option(options, message):
    refusal = refused(
        "--input", str(ANALYTICS_INPUT), "--method", "normal", "--type", "rate", *options, "--format", "csv"
    )

    assert message in str(refusal)


def test_fisher_on_a_rate_is_refused(tmp_path):
    refusal = refused(
        "--input", str(ANALYTICS_INPUT), "--method", "fisher", "--type", "rate", "--format", "csv"
    )

    assert "--type: Fisher's exact test compares proportions" in str(refusal)


def test_fisher_with_fractional_counts_names_the_line(tmp_path):
    source = tmp_path / "input.csv"
    source.write_text(HEADER + "S1,A,Site,1,10\nS2,B,Site,2.5,10\n")

    refusal = refused("--input", str(source), "--method", "fisher", "--type", "binary", "--format", "csv")

    assert "line 3: Numerator 2.5 is not a whole number" in str(refusal)


def console(tmp_path, *args: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "TRIALDESK_DATA_DIR": str(tmp_path / "data")}
    return subprocess.run(
        [sys.executable, "-m", "trialdesk", "rbqm", "score", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        check=False,
    )


def test_console_script_accepts_negative_thresholds_after_a_space_and_exits_2_on_bad_input(tmp_path):
    good = console(
        tmp_path, "--input", str(ANALYTICS_INPUT), "--method", "normal", "--type", "rate",
        "--thresholds", "-2,-1,2,3", "--format", "csv",
    )  # fmt: skip
    bad_source = tmp_path / "bad.csv"
    bad_source.write_text(HEADER + "S1,A,Site,x,10\n")
    bad = console(
        tmp_path, "--input", str(bad_source), "--method", "normal", "--type", "rate", "--format", "csv"
    )

    assert good.returncode == 0, good.stderr
    assert_same_groups(read_rows(good.stdout), expected_summary())
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.strip().splitlines() == ["CommandError: line 2: Numerator 'x' is not a number"]
