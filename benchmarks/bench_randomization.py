"""Marginal imbalance under minimization against simple randomization, and the speed of list generation.

Issue 3: with 2 arms, 3 factors and 300 participants, the maximum marginal imbalance (the largest
|A − B| at any level of any factor once all are assigned) must stay far below that of simple
randomization. Factors have 2, 3 and 4 levels, each level equally likely; every method sees
its own random participants. Also timed: a stratified permuted-block list of 4 strata × 100 (the
issue's example) and of 100 strata × 1,000.

    python benchmarks/bench_randomization.py [--runs 200] [--participants 300] [--seed 2019]
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from trialdesk.analytics.randomization import (  # noqa: E402
    Factor,
    permuted_block_list,
    simulate_marginal_imbalance,
)

LEVELS = (2, 3, 4)
METHODS = [
    ("simple randomization", dict(method="simple")),
    ("minimization, range, p = 0.8", dict(method="minimization", p_preferred=0.8)),
    ("minimization, variance, p = 0.8", dict(method="minimization", p_preferred=0.8, measure="variance")),
    ("minimization, range, deterministic", dict(method="minimization", p_preferred=1.0)),
]


def imbalance_table(runs: int, participants: int, seed: int) -> None:
    shape = f"factors of {LEVELS} levels, {participants} participants, {runs} runs"
    print(f"Maximum marginal imbalance, 2 arms, {shape}")
    print(f"{'method':<38}{'mean':>7}{'median':>8}{'p95':>6}{'max':>6}{'seconds':>9}")
    for name, options in METHODS:
        rng = np.random.default_rng(seed)
        started = time.perf_counter()
        result = simulate_marginal_imbalance(
            levels=LEVELS, participants=participants, runs=runs, rng=rng, **options
        )
        seconds = time.perf_counter() - started
        worst = result.max_imbalance
        print(
            f"{name:<38}{worst.mean():>7.2f}{np.median(worst):>8.1f}{np.percentile(worst, 95):>6.1f}"
            f"{worst.max():>6.0f}{seconds:>9.2f}"
        )


def list_timings(seed: int) -> None:
    cases = [
        ("4 strata x 100 (issue example)", [Factor("sex", ("M", "F")), Factor("age", ("<65", ">=65"))], 100),
        ("100 strata x 1,000", [Factor("site", tuple(f"S{i:03d}" for i in range(100)))], 1000),
    ]
    for name, strata, per_stratum in cases:
        started = time.perf_counter()
        rows = permuted_block_list(
            arms=["A", "B"],
            block_sizes=[4, 6],
            strata=strata,
            per_stratum=per_stratum,
            rng=np.random.default_rng(seed),
        )
        print(f"permuted-block list, {name}: {len(rows):,} slots in {time.perf_counter() - started:.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2019)
    arguments = parser.parse_args()
    imbalance_table(arguments.runs, arguments.participants, arguments.seed)
    list_timings(arguments.seed)


if __name__ == "__main__":
    main()
