"""`trialdesk stats randomization-list` and `stats minimize` as a statistician runs them.

The minimization example is Lim & In, Korean J Anesthesiol 2019;72(3):221-232, Table 4, from
tests/data/reference/minimization.json; its scores are whole numbers, printed exactly.
"""

import csv
import io
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.reference_data import REFERENCE_DATA

SOURCE = Path(__file__).resolve().parents[3]
MINIMIZATION_REFERENCE = REFERENCE_DATA / "reference/minimization.json"

ISSUE_LIST = (
    *("--arms", "A,B", "--ratio", "1:1", "--block-sizes", "4,6"),
    *("--strata", "sex=M,F;age=<65,>=65", "--per-stratum", "100"),
)
ISSUE_FACTORS = ("--arms", "A,B", "--factors", "sex=M,F;age=<50,>=50", "--participant", "sex=F;age=>=50")


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("stats", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def refusal(*args: str) -> str:
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("stats", *args, stdout=out, stderr=io.StringIO())
    assert raised.value.returncode == 2
    assert out.getvalue() == ""
    return str(raised.value)


@pytest.fixture
def counts_file(tmp_path):
    def write(counts) -> str:
        path = tmp_path / "counts.json"
        path.write_text(counts if isinstance(counts, str) else json.dumps(counts), encoding="utf-8")
        return str(path)

    return write


# --- randomization-list ---------------------------------------------------------------------------


def test_randomization_list_json_has_every_stratum_in_whole_blocks():
    rows = json.loads(run("randomization-list", *ISSUE_LIST, "--seed", "7", "--format", "json"))
    assert set(rows[0]) == {"stratum", "sequence", "block", "block_size", "arm"}
    by_stratum = Counter(row["stratum"] for row in rows)
    assert list(by_stratum) == ["sex=M;age=<65", "sex=M;age=>=65", "sex=F;age=<65", "sex=F;age=>=65"]
    for stratum, count in by_stratum.items():
        mine = [row for row in rows if row["stratum"] == stratum]
        assert [row["sequence"] for row in mine] == list(range(1, count + 1))
        assert 100 <= count < 106
        blocks = Counter((row["block"], row["block_size"]) for row in mine)
        assert all(size == slots and size in (4, 6) for (_, size), slots in blocks.items())
        assert Counter(row["arm"] for row in mine) == {"A": count // 2, "B": count // 2}


def test_randomization_list_csv_matches_json_for_the_same_seed():
    as_json = json.loads(run("randomization-list", *ISSUE_LIST, "--seed", "7", "--format", "json"))
    as_csv = list(csv.DictReader(io.StringIO(run("randomization-list", *ISSUE_LIST, "--seed", "7"))))
    assert [{key: str(value) for key, value in row.items()} for row in as_json] == as_csv


def test_randomization_list_same_seed_same_list_other_seed_other_list():
    first = run("randomization-list", *ISSUE_LIST, "--seed", "7", "--format", "csv")
    assert run("randomization-list", *ISSUE_LIST, "--seed", "7", "--format", "csv") == first
    assert run("randomization-list", *ISSUE_LIST, "--seed", "8", "--format", "csv") != first


def test_randomization_list_at_two_to_one_fills_blocks_of_three_and_six():
    rows = json.loads(
        run(
            "randomization-list",
            *("--arms", "Active,Placebo", "--ratio", "2:1", "--block-sizes", "3,6"),
            *("--per-stratum", "30", "--seed", "1", "--format", "json"),
        )
    )
    assert {row["stratum"] for row in rows} == {"all"}
    arms = Counter(row["arm"] for row in rows)
    assert arms["Active"] == 2 * arms["Placebo"]


# --- minimize -------------------------------------------------------------------------------------


def test_minimize_prints_lim_and_in_table_4(counts_file):
    # Lim & In 2019 Table 4: patient 15 (site 2, female, >=65) scores 3 if control, 5 if treatment.
    example = json.loads(MINIMIZATION_REFERENCE.read_text(encoding="utf-8"))["example"]
    patient = example["new_patient"]
    factors = {"site": patient["site"], "sex": patient["sex"], "age": patient["age_band"]}
    existing = example["existing_counts_for_patient_levels"]
    counts = {
        arm: {f"{name}={level}": existing[level][i] for name, level in factors.items()}
        for i, arm in enumerate(example["arms"])
    }
    output = run(
        "minimize",
        *("--arms", ",".join(example["arms"]), "--counts", counts_file(counts), "--json"),
        *("--factors", ";".join(f"{name}={level},other" for name, level in factors.items())),
        *("--participant", ";".join(f"{name}={level}" for name, level in factors.items())),
        *("--measure", "range", "--weights", "1,1,1"),
    )
    published = example["published"]
    assert json.loads(output) == {
        "scores": {
            "Control": published["total_imbalance_if_Control"],
            "Treatment": published["total_imbalance_if_Treatment"],
        },
        "preferred": published["allocated"],
    }
    assert output.strip() == '{"scores": {"Control": 3.0, "Treatment": 5.0}, "preferred": "Control"}'


def test_minimize_tie_prints_null_preferred(counts_file):
    counts = counts_file({"A": {"sex=F": 4, "age=>=50": 2}, "B": {"sex=F": 3, "age=>=50": 4}})
    output = json.loads(run("minimize", *ISSUE_FACTORS, "--counts", counts, "--json"))
    assert output == {"scores": {"A": 3.0, "B": 3.0}, "preferred": None}


def test_minimize_divides_counts_by_the_ratio(counts_file):
    # At 2:1, A 4 v B 2 is balanced: A -> |5/2 - 2| = 0.5, B -> |4/2 - 3| = 1, per factor.
    counts = counts_file({"A": {"sex=F": 4, "age=>=50": 4}, "B": {"sex=F": 2, "age=>=50": 2}})
    output = json.loads(run("minimize", *ISSUE_FACTORS, "--counts", counts, "--ratio", "2:1", "--json"))
    assert output == {"scores": {"A": 1.0, "B": 2.0}, "preferred": "A"}


def test_minimize_variance_and_weights(counts_file):
    # Two arms: variance = range^2 / 2. sex 3 v 3, age 3 v 5 at weights 2, 1:
    # A -> 2 * 1/2 + 1 * 1/2 = 1.5; B -> 2 * 1/2 + 1 * 9/2 = 5.5.
    counts = counts_file({"A": {"sex=F": 3, "age=>=50": 3}, "B": {"sex=F": 3, "age=>=50": 5}})
    output = json.loads(
        run(
            "minimize",
            *ISSUE_FACTORS,
            "--counts",
            counts,
            "--measure",
            "variance",
            "--weights",
            "2,1",
            "--json",
        )
    )
    assert output == {"scores": {"A": 1.5, "B": 5.5}, "preferred": "A"}


def test_minimize_without_json_prints_readable_lines(counts_file):
    # A has one woman: A -> sex |2 - 0| + age |1 - 0| = 3; B -> |1 - 1| + |0 - 1| = 1.
    output = run("minimize", *ISSUE_FACTORS, "--counts", counts_file({"A": {"sex=F": 1}}))
    assert output.splitlines() == ["A: 3", "B: 1", "Preferred: B"]


# --- refusals -------------------------------------------------------------------------------------

LIST_REFUSALS = [
    (("--arms", "A,B", "--ratio", "2-1", "--block-sizes", "3", "--per-stratum", "9"), "--ratio"),
    (("--arms", "A,B", "--ratio", "2:1", "--block-sizes", "4,6", "--per-stratum", "9"), "--block-sizes"),
    (("--arms", "A,B", "--ratio", "1:1:1", "--block-sizes", "4", "--per-stratum", "9"), "--ratio"),
    (("--arms", "A", "--block-sizes", "4", "--per-stratum", "9"), "--arms"),
    (("--arms", "A,B", "--block-sizes", "4", "--per-stratum", "0"), "--per-stratum"),
    (("--arms", "A,B", "--block-sizes", "4", "--per-stratum", "ten"), "--per-stratum"),
    (("--arms", "A,B", "--block-sizes", "4", "--per-stratum", "9", "--strata", "sex"), "--strata"),
    (("--arms", "A,B", "--block-sizes", "4", "--per-stratum", "9", "--strata", "sex=M,M"), "--strata"),
    (("--arms", "A,B", "--block-sizes", "4", "--per-stratum", "9", "--format", "xml"), "--format"),
    (("--block-sizes", "4", "--per-stratum", "9"), "--arms"),
]


@pytest.mark.parametrize("args, option", LIST_REFUSALS)
def test_randomization_list_bad_input_is_one_line_naming_the_option(args, option):
    seed = () if "--seed" in args else ("--seed", "7")
    message = refusal("randomization-list", *args, *seed)
    assert option in message and "\n" not in message


def test_randomization_list_negative_seed_is_refused():
    message = refusal(
        "randomization-list", "--arms", "A,B", "--block-sizes", "4", "--per-stratum", "9", "--seed=-1"
    )
    assert "--seed" in message


MINIMIZE_REFUSALS = [
    (("--participant", "sex=X;age=>=50"), {}, "--participant"),
    (("--participant", "sex=F"), {}, "--participant"),
    (("--ratio", "two"), {}, "--ratio"),
    (("--weights", "1"), {}, "--weights"),
    (("--measure", "sd"), {}, "--measure"),
    ((), {"A": {"sex=X": 1}}, "--counts"),
    ((), {"C": {"sex=F": 1}}, "--counts"),
    ((), {"A": {"sex=F": -2}}, "--counts"),
    ((), "[1, 2]", "--counts"),
    ((), "{not json", "--counts"),
]


@pytest.mark.parametrize("extra, counts, option", MINIMIZE_REFUSALS)
def test_minimize_bad_input_is_one_line_naming_the_option(counts_file, extra, counts, option):
    arguments = dict(zip(ISSUE_FACTORS[::2], ISSUE_FACTORS[1::2], strict=True))
    arguments.update(zip(extra[::2], extra[1::2], strict=True))
    message = refusal(
        "minimize", *(item for pair in arguments.items() for item in pair), "--counts", counts_file(counts)
    )
    assert option in message and "\n" not in message


def test_minimize_names_every_bad_entry_of_the_counts_file_by_its_json_path(counts_file):
    counts = counts_file({"A": {"sex=X": 1, "sex=F": 2}, "C": {"sex=F": 1}})
    message = refusal("minimize", *ISSUE_FACTORS, "--counts", counts)
    assert message.splitlines() == [
        "--counts: $.A['sex=X']: unknown factor level (levels: sex=M, sex=F, age=<50, age=>=50)",
        "--counts: $.C: unknown arm (arms: A, B)",
    ]


def test_minimize_missing_counts_file_names_counts(tmp_path):
    message = refusal("minimize", *ISSUE_FACTORS, "--counts", str(tmp_path / "absent.json"))
    assert message.startswith("--counts: cannot read")


def test_console_script_refuses_a_bad_block_size_with_exit_2_and_one_line():
    environment = {**os.environ, "PYTHONPATH": str(SOURCE)}
    finished = subprocess.run(
        [
            sys.executable,
            "-m",
            "trialdesk",
            "stats",
            "randomization-list",
            *("--arms", "A,B", "--ratio", "2:1", "--block-sizes", "4", "--per-stratum", "9", "--seed", "7"),
        ],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
    )
    assert finished.returncode == 2
    assert finished.stdout == ""
    assert finished.stderr.strip().count("\n") == 0
    assert "--block-sizes: 4 is not a multiple of 3" in finished.stderr
