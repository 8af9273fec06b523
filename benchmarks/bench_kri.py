"""Time KRI scoring (normal approximation, gsm-compatible) of 1,000,000 participant rows at 20,000 sites.

Target (issue 5): under 2 s from arrays for the normal method. Also timed: the other methods; the
normal method from a CSV file through the `rbqm score` command's reader; and a straightforward pandas
groupby implementation of the normal method, from arrays and with pandas' CSV reader. Both
implementations must agree to 1e-9.

    python benchmarks/bench_kri.py [--rows 1000000] [--sites 20000] [--repeat 5]
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from trialdesk.analytics.kri import score_groups  # noqa: E402
from trialdesk.statistics.management.commands.rbqm import read_analytics_input  # noqa: E402

TARGET_SECONDS = 2.0
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
    timings, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sites", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    rows = participant_rows(options.rows, options.sites, np.random.default_rng(options.seed))
    print(f"{options.rows:,} participant rows, {options.sites:,} sites, median of {options.repeat} runs")

    def trialdesk_from_arrays():
        return score_groups(rows["GroupID"], rows["Numerator"], rows["Denominator"], method="normal")

    site_numbers = np.char.lstrip(rows["GroupID"], "S").astype(np.int64)

    def trialdesk_integer_ids():
        return score_groups(site_numbers, rows["Numerator"], rows["Denominator"], method="normal")

    frame = pd.DataFrame({k: rows[k] for k in ("GroupID", "Numerator", "Denominator")})
    ours_seconds, ours = timed(trialdesk_from_arrays, options.repeat)
    integer_seconds, _ = timed(trialdesk_integer_ids, options.repeat)
    pandas_seconds, theirs = timed(lambda: pandas_normal_rate(frame), options.repeat)
    assert ours.group_ids.tolist() == theirs.index.tolist()
    np.testing.assert_allclose(ours.score, theirs["Score"].to_numpy(), rtol=0, atol=1e-9)
    np.testing.assert_array_equal(ours.flag, theirs["Flag"].to_numpy())

    verdict = "met" if ours_seconds < TARGET_SECONDS else "NOT MET"
    print(
        f"trialdesk score_groups, string site ids : {ours_seconds:7.3f} s  (< {TARGET_SECONDS} s: {verdict})"
    )
    print(f"trialdesk score_groups, integer site ids: {integer_seconds:7.3f} s")
    print(f"pandas groupby, from a DataFrame        : {pandas_seconds:7.3f} s  (same scores and flags)")
    print(f"  flags: {', '.join(f'{f:+d}: {int((ours.flag == f).sum())}' for f in (-2, -1, 0, 1, 2))}")

    for method, metric_type in (("poisson", "rate"), ("fisher", "binary"), ("identity", "rate")):
        seconds, _ = timed(
            lambda m=method, t=metric_type: score_groups(
                site_numbers, rows["Numerator"], rows["Denominator"], method=m, metric_type=t
            ),
            options.repeat,
        )
        print(f"trialdesk {method:<8} integer site ids       : {seconds:7.3f} s")

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "analytics_input.csv"
        pd.DataFrame(rows).to_csv(path, index=False)
        size = path.stat().st_size / 1e6

        def trialdesk_from_csv():
            parsed = read_analytics_input(path)
            return score_groups(parsed.group_ids, parsed.numerator, parsed.denominator, method="normal")

        def pandas_from_csv():
            return pandas_normal_rate(pd.read_csv(path, usecols=["GroupID", "Numerator", "Denominator"]))

        csv_repeat = max(1, options.repeat // 2)
        ours_csv_seconds, _ = timed(trialdesk_from_csv, csv_repeat)
        pandas_csv_seconds, _ = timed(pandas_from_csv, csv_repeat)
    print(f"with CSV parsing ({size:.0f} MB file, median of {csv_repeat}):")
    print(f"  trialdesk (csv module + numpy, as `rbqm score`): {ours_csv_seconds:7.3f} s")
    print(f"  pandas read_csv + groupby                      : {pandas_csv_seconds:7.3f} s")


if __name__ == "__main__":
    main()
