"""Time KRI scoring (normal approximation, gsm-compatible) of 1,000,000 participant rows at 20,000 sites.

Each figure is printed beside its peer, measured in the same run (issue 19 §2):

- scoring integer site ids against two ``numpy.bincount`` calls (the sums alone; goal: within 2×) and
  against a plain pandas groupby of the same score (goal: 10× faster);
- scoring the ids `rbqm score`'s reader hands over (factorised while reading), and numpy text ids,
  against the same pandas groupby on text ids;
- reading and scoring a CSV file through the `rbqm score` command's reader against ``pandas.read_csv``
  plus the groupby, in process (goal: within 2×), and the whole `trialdesk rbqm score` process against
  a Python process that imports pandas, reads, groups and writes the same CSV.

Both implementations must agree to 1e-9. Issue 5's target (under 2 s from arrays) is also checked.
Needs the bench extra (pandas).

    python benchmarks/bench_kri.py [--rows 1000000] [--sites 20000] [--repeat 5] [--no-process]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from measure import report  # noqa: E402
from trialdesk.analytics.kri import GroupCodes, score_groups  # noqa: E402
from trialdesk.statistics.management.commands.rbqm import read_analytics_input  # noqa: E402

TARGET_SECONDS = 2.0
PANDAS_PROCESS = """
import sys
import numpy as np
import pandas as pd
frame = pd.read_csv(sys.argv[1], usecols=["GroupID", "Numerator", "Denominator"])
groups = frame.groupby("GroupID")[["Numerator", "Denominator"]].sum()
groups = groups[groups["Denominator"] > 0]
groups["Metric"] = groups["Numerator"] / groups["Denominator"]
overall = groups["Numerator"].sum() / groups["Denominator"].sum()
z = (groups["Metric"] - overall) / np.sqrt(overall / groups["Denominator"])
groups["Score"] = z / np.sqrt((z**2).mean())
edges = [-np.inf, -3, -2, 2, 3, np.inf]
groups["Flag"] = pd.cut(groups["Score"], edges, labels=[-2, -1, 0, 1, 2], right=False)
groups.to_csv(sys.stdout)
"""
THRESHOLDS = (-3.0, -2.0, 2.0, 3.0)


def participant_rows(rows: int, sites: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """AE counts over days on study: site rates vary (gamma), so the sites are over-dispersed."""
    site_of_row = rng.integers(0, sites, rows)
    days = rng.integers(1, 1500, rows).astype(np.float64)
    site_rate = rng.gamma(20.0, 0.05 / 20.0, sites)
    events = rng.poisson(site_rate[site_of_row] * days).astype(np.float64)
    return {
        "SubjectID": np.char.add("P", np.arange(rows).astype("U7")),
        "GroupID": np.char.add("S", np.char.zfill(site_of_row.astype("U5"), 5)),
        "GroupLevel": np.full(rows, "Site"),
        "Numerator": events,
        "Denominator": days,
    }


def pandas_normal_rate(frame: pd.DataFrame) -> pd.DataFrame:
    """gsm's Transform_Rate + Analyze_NormalApprox(rate) + Flag, written plainly with a groupby."""
    groups = frame.groupby("GroupID")[["Numerator", "Denominator"]].sum()
    groups = groups[groups["Denominator"] > 0]
    groups["Metric"] = groups["Numerator"] / groups["Denominator"]
    overall = groups["Numerator"].sum() / groups["Denominator"].sum()
    z = (groups["Metric"] - overall) / np.sqrt(overall / groups["Denominator"])
    phi = (z**2).mean()
    groups["Score"] = (groups["Metric"] - overall) / np.sqrt(phi * overall / groups["Denominator"])
    groups["Flag"] = pd.cut(
        groups["Score"], [-np.inf, *THRESHOLDS, np.inf], labels=[-2, -1, 0, 1, 2], right=False
    ).astype(float)
    return groups


def timed(function, repeat: int) -> tuple[float, object]:
    """Best wall-clock time of ``repeat`` runs (the least disturbed by other work on the machine)."""
    timings, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        timings.append(time.perf_counter() - started)
    return min(timings), result


def load() -> str:
    return "load average " + ", ".join(f"{value:.1f}" for value in os.getloadavg())


def line(label: str, seconds: float, peer_label: str, peer_seconds: float, goal: str = "") -> None:
    ratio = peer_seconds / seconds
    relation = f"{ratio:.1f}x faster than" if ratio >= 1 else f"{1 / ratio:.2f}x the time of"
    peer = f"{peer_label} ({peer_seconds * 1000:.1f} ms)"
    print(f"  {label:<44} {seconds * 1000:8.1f} ms  {relation} {peer}{goal}")


def process_seconds(command: list[str], repeat: int, env: dict) -> tuple[float, float]:
    """Best wall-clock time of the process and its CPU time (user + system) in that run."""
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        before, started = os.times(), time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
        wall, after = time.perf_counter() - started, os.times()
        cpu = after.children_user + after.children_system - before.children_user - before.children_system
        best = min(best, (wall, cpu))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sites", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-process", action="store_true", help="skip the whole-process comparison")
    options = parser.parse_args()
    rows = participant_rows(options.rows, options.sites, np.random.default_rng(options.seed))
    print(f"{options.rows:,} participant rows, {options.sites:,} sites, best of {options.repeat} runs")
    print(f"two cores shared with other work: {load()}")

    site_numbers = np.char.lstrip(rows["GroupID"], "S").astype(np.int64)
    names, codes = np.unique(rows["GroupID"], return_inverse=True)
    reader_ids = GroupCodes(codes.reshape(-1), names)
    numerator, denominator = rows["Numerator"], rows["Denominator"]

    def score(ids):
        return lambda: score_groups(ids, numerator, denominator, method="normal")

    frame = pd.DataFrame({k: rows[k] for k in ("GroupID", "Numerator", "Denominator")})
    integer_frame = frame.assign(GroupID=site_numbers)
    integer_seconds, by_number = timed(score(site_numbers), options.repeat)
    codes_seconds, by_codes = timed(score(reader_ids), options.repeat)
    text_seconds, by_text = timed(score(rows["GroupID"]), options.repeat)
    bincount_seconds, _ = timed(
        lambda: (
            np.bincount(site_numbers, weights=numerator),
            np.bincount(site_numbers, weights=denominator),
        ),
        options.repeat,
    )
    pandas_seconds, theirs = timed(lambda: pandas_normal_rate(frame), options.repeat)
    pandas_integer_seconds, _ = timed(lambda: pandas_normal_rate(integer_frame), options.repeat)
    assert by_text.group_ids.tolist() == by_codes.group_ids.tolist() == theirs.index.tolist()
    for ours in (by_number, by_codes, by_text):
        np.testing.assert_allclose(ours.score, theirs["Score"].to_numpy(), rtol=0, atol=1e-9)
        np.testing.assert_array_equal(ours.flag, theirs["Flag"].to_numpy())

    print("scoring from arrays (same scores and flags as pandas):")
    line("integer site ids", integer_seconds, "numpy.bincount x2", bincount_seconds, "  [goal: within 2x]")
    line("integer site ids", integer_seconds, "pandas groupby, integer ids", pandas_integer_seconds)
    line("integer site ids", integer_seconds, "pandas groupby, text ids", pandas_seconds, "  [goal: 10x]")
    text_peer = "pandas groupby, text ids"
    line("ids as rbqm's reader hands them (codes)", codes_seconds, text_peer, pandas_seconds)
    line("text ids (numpy strings, factorised here)", text_seconds, text_peer, pandas_seconds)
    verdict = "met" if text_seconds < TARGET_SECONDS else "NOT MET"
    print(f"  issue 5: text ids under {TARGET_SECONDS} s: {verdict}")
    faster = pandas_seconds / text_seconds
    report("kri", "score, text ids", text_seconds * 1000, unit="ms", peer="pandas groupby, text ids",
           ratio=faster, target="≥ 10× faster", met=faster >= 10)  # fmt: skip
    of_bincount = integer_seconds / bincount_seconds
    report("kri", "score, integer ids", integer_seconds * 1000, unit="ms", peer="numpy.bincount x2",
           ratio=of_bincount, target="≤ 2× the peer", met=of_bincount <= 2)  # fmt: skip
    print(f"  flags: {', '.join(f'{f:+d}: {int((by_text.flag == f).sum())}' for f in (-2, -1, 0, 1, 2))}")

    for method, metric_type in (("poisson", "rate"), ("fisher", "binary"), ("identity", "rate")):
        seconds, _ = timed(
            lambda m=method, t=metric_type: score_groups(
                site_numbers, numerator, denominator, method=m, metric_type=t
            ),
            options.repeat,
        )
        print(f"  {method:<8} method, integer site ids {'':<19} {seconds * 1000:8.1f} ms")

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "analytics_input.csv"
        pd.DataFrame(rows).to_csv(path, index=False)
        size = path.stat().st_size / 1e6

        def trialdesk_from_csv():
            parsed = read_analytics_input(path)
            return score_groups(parsed.group_ids, parsed.numerator, parsed.denominator, method="normal")

        def pandas_from_csv():
            return pandas_normal_rate(pd.read_csv(path, usecols=["GroupID", "Numerator", "Denominator"]))

        csv_repeat = max(1, (options.repeat + 1) // 2)
        ours_csv_seconds, from_csv = timed(trialdesk_from_csv, csv_repeat)
        pandas_csv_seconds, _ = timed(pandas_from_csv, csv_repeat)
        np.testing.assert_allclose(from_csv.score, theirs["Score"].to_numpy(), rtol=0, atol=1e-9)
        print(f"with CSV parsing ({size:.0f} MB file, best of {csv_repeat}):")
        line(
            "rbqm score's reader + score_groups",
            ours_csv_seconds,
            "pandas read_csv + groupby",
            pandas_csv_seconds,
            "  [goal: within 2x]",
        )
        if not options.no_process:
            root = Path(__file__).resolve().parent.parent
            env = {
                **os.environ,
                "PYTHONPATH": os.pathsep.join([str(root / "src"), os.environ.get("PYTHONPATH", "")]),
                "DJANGO_SETTINGS_MODULE": "trialdesk.settings",
                "DEBUG": "1",
            }
            command = [sys.executable, "-c", "from trialdesk.cli import main; main()", "rbqm", "score"]
            options_ = ["--input", str(path), "--method", "normal", "--type", "rate", "--format", "csv"]
            ours_process, ours_cpu = process_seconds([*command, *options_], csv_repeat, env)
            pandas_process, pandas_cpu = process_seconds(
                [sys.executable, "-c", PANDAS_PROCESS, str(path)], csv_repeat, env
            )
            startup, startup_cpu = process_seconds([*command, "--help"], csv_repeat, env)
            print(f"whole process, CSV to CSV on stdout (best of {csv_repeat}; CPU time in that run):")
            goal = "  [goal: within 2x]"
            line("trialdesk rbqm score", ours_process, "python + pandas", pandas_process, goal)
            line("  its CPU time", ours_cpu, "python + pandas's", pandas_cpu)
            print(
                f"  of which the command's start-up (trialdesk rbqm score --help): {startup * 1000:.0f} ms, "
                f"CPU {startup_cpu * 1000:.0f} ms"
            )
    print(f"done; {load()}")


if __name__ == "__main__":
    main()
