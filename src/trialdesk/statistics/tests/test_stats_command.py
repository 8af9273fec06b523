"""`trialdesk stats sample-size` as a statistician runs it: published answers, JSON, one-line refusals."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from trialdesk.analytics.sample_size import DESIGNS

SOURCE = Path(__file__).resolve().parents[3]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("stats", "sample-size", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def run_json(*args: str) -> dict:
    return json.loads(run(*args, "--json"))


def refusal(*args: str) -> CommandError:
    with pytest.raises(CommandError) as raised:
        run(*args)
    assert raised.value.returncode == 2
    return raised.value


def test_two_means_solves_n_as_power_t_test_does():
    # R: power.t.test(delta = 0.75, sd = 2.25, power = 0.8) -> n = 142.2466 (pwr vignette).
    result = run_json("two-means", "--delta", "0.75", "--sd", "2.25", "--power", "0.8")
    assert result["n_per_group"] == [143, 143]
    assert result["n_total"] == 286
    assert result["n_exact"][0] == pytest.approx(142.2466, abs=1e-3)
    assert result["power"] >= 0.8
    assert "power.t.test" in result["method"]
    assert "events" not in result


def test_two_means_solves_power_for_a_given_n():
    # R: power.t.test(n = 20, delta = 1) -> power = 0.8689528.
    result = run_json("two-means", "--delta", "1", "--sd", "1", "--n", "20")
    assert result["solved_for"] == "power"
    assert result["power"] == pytest.approx(0.8689528, abs=1e-6)


def test_two_proportions_arcsine_effect_size_as_pwr_2p_test():
    # pwr vignette: pwr.2p.test(h = 0.2, power = .80) -> n = 392.443 (both tails, --strict).
    result = run_json(
        "two-proportions", "--effect-size", "0.2", "--method", "arcsine", "--power", "0.8", "--strict"
    )
    assert result["n_exact"][0] == pytest.approx(392.443, abs=1e-3)
    assert result["n_per_group"] == [393, 393]


def test_survival_gives_participants_and_events_as_nsurvival():
    # gsDesign::nSurvival(lambda1 = .2, lambda2 = .1, eta = .1, Ts = 2, Tr = .5, sided = 1, alpha = .025)
    # prints n = 430 and nEvents = 91.
    result = run_json(
        "survival",
        *("--lambda1", "0.2", "--lambda2", "0.1", "--study-time", "2", "--accrual-time", "0.5"),
        *("--dropout-rate", "0.1", "--alpha", "0.025", "--sided", "1", "--power", "0.9"),
    )
    assert result["n_total"] == 430
    assert result["events"] == 91
    assert "Lachin & Foulkes" in result["method"]


def test_logrank_events_reports_events_not_participants():
    result = run_json("logrank-events", "--hr", "0.5", "--method", "freedman", "--power", "0.8")
    assert result["events"] == 71  # (1.5/0.5)^2 (1.96 + 0.8416)^2 = 70.6
    assert result["n_per_group"] == [] and result["n_total"] is None


def test_dropout_inflates_before_rounding():
    # Chow's two-sample equality, sigma .1, difference .05: n = 62.79 -> 62.79 / 0.9 = 69.77 -> 70.
    result = run_json(
        "two-means", "--delta", "0.05", "--sd", "0.1", "--test", "z", "--power", "0.8", "--dropout", "0.1"
    )
    assert result["n_exact"][0] == pytest.approx(62.791 / 0.9, abs=1e-3)
    assert result["n_per_group"] == [70, 70]


def test_cluster_design_effect_multiplies_n():
    plain = run_json("two-means", "--delta", "1", "--sd", "2", "--power", "0.8", "--test", "z")
    clustered = run_json(
        "two-means",
        "--delta",
        "1",
        "--sd",
        "2",
        "--power",
        "0.8",
        "--test",
        "z",
        "--icc",
        "0.05",
        "--cluster-size",
        "21",
    )
    assert clustered["n_exact"][0] == pytest.approx(plain["n_exact"][0] * 2.0, rel=1e-9)


def test_unequal_allocation_gives_two_group_sizes():
    result = run_json("two-proportions", "--p1", "0.3", "--p2", "0.45", "--ratio", "2", "--power", "0.9")
    n1, n2 = result["n_per_group"]
    assert n2 == pytest.approx(2 * result["n_exact"][0], abs=1)
    assert result["n_total"] == n1 + n2


def test_without_json_prints_a_readable_summary():
    output = run("mcnemar", "--p-discordant", "0.7", "--odds-ratio", "0.4", "--power", "0.8")
    assert "Design: mcnemar" in output
    assert "n per group: 59" in output  # Chow, Shao & Wang 6.4.3
    assert "Method: McNemar" in output


@pytest.mark.parametrize(
    "args, named",
    [
        (("two-proportions", "--p1", "1.2", "--p2", "0.5", "--power", "0.8"), "--p1"),
        (("one-proportion", "--p0", "0.5", "--p1", "0", "--power", "0.8"), "--p1"),
        (("two-means", "--delta", "1", "--sd", "1", "--power", "1.5"), "--power"),
        (("two-means", "--delta", "1", "--sd", "1", "--power", "0.8", "--n", "20"), "--power or --n"),
        (("two-means", "--delta", "1", "--sd", "1"), "--power or --n"),
        (("two-means", "--sd", "1", "--power", "0.8"), "--delta"),
        (("two-means", "--delta", "abc", "--sd", "1", "--power", "0.8"), "--delta"),
        (("mcnemar", "--p-discordant", "0.7", "--power", "0.8"), "--odds-ratio"),
        (
            (
                "survival",
                "--lambda1",
                "-0.2",
                "--lambda2",
                "0.1",
                "--study-time",
                "2",
                "--accrual-time",
                "1",
                "--power",
                "0.8",
            ),
            "--lambda1",
        ),
        (
            (
                "survival",
                "--lambda1",
                "0.2",
                "--lambda2",
                "0.1",
                "--study-time",
                "2",
                "--accrual-time",
                "1",
                "--dropout-rate",
                "-1",
                "--power",
                "0.8",
            ),
            "--dropout-rate",
        ),
        (("two-means", "--delta", "1", "--sd", "1", "--power", "0.8", "--p1", "0.3"), "--p1"),
        (("two-means", "--delta", "1", "--sd", "1", "--power", "0.8", "--sided", "3"), "--sided"),
        (
            ("two-proportions", "--p1", "0.3", "--p2", "0.4", "--method", "exact", "--power", "0.8"),
            "--method",
        ),
    ],
)
def test_bad_input_is_refused_with_one_line_naming_the_option(args, named):
    message = str(refusal(*args))
    assert named in message
    assert "\n" not in message


def test_unknown_design_is_refused_with_exit_2():
    assert "invalid choice: 'nope'" in str(refusal("nope", "--power", "0.8"))


def test_every_design_of_the_issue_is_offered():
    assert set(DESIGNS) >= {
        "two-means",
        "paired-means",
        "one-mean",
        "two-proportions",
        "one-proportion",
        "mcnemar",
        "non-inferiority-means",
        "superiority-means",
        "equivalence-means",
        "non-inferiority-proportions",
        "equivalence-proportions",
        "logrank-events",
        "survival",
    }


def test_console_script_exits_2_with_one_line_and_nothing_on_stdout():
    environment = {**os.environ, "PYTHONPATH": str(SOURCE)}
    finished = subprocess.run(
        [
            sys.executable,
            "-m",
            "trialdesk",
            "stats",
            "sample-size",
            "one-proportion",
            "--p0",
            "1.5",
            "--p1",
            "0.4",
            "--power",
            "0.8",
        ],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )
    assert finished.returncode == 2
    assert finished.stdout == ""
    assert finished.stderr.strip().count("\n") == 0
    assert "--p0" in finished.stderr
