"""Time the enrollment forecast for 500 sites and 10,000 simulations, and check its calibration.

Prints: the vectorised forecast's time (target: under 0.5 s), the vectorised Monte Carlo against a
straightforward per-simulation Python loop doing the same Monte Carlo, measured in the same run (issue 19
§2: at least 50x; wall clock and this process's CPU time, since the machine may be shared), and the
coverage of the 90% completion interval over 2,000 studies simulated from the model with known
parameters (expected 88–92%).

    .venv/bin/python benchmarks/bench_forecast.py [--repeat 7] [--loop-sims 10000]
        [--replications 2000] [--plug-in]
"""

import argparse
import os
import statistics
import time
from datetime import date, timedelta

import numpy as np

from measure import report
from trialdesk.analytics.forecasting import (
    SiteRoster,
    completion_interval_coverage,
    forecast_enrollment,
    simulate_recruitment,
    site_windows,
)
from trialdesk.analytics.forecasting.enrollment import hyperparameter_draws

AS_OF = date(2026, 6, 30)
SITES, SIMS, TARGET_SECONDS, LOOP_RATIO_GOAL = 500, 10_000, 0.5, 50


def portfolio(rng: np.random.Generator) -> tuple[SiteRoster, int]:
    """500 sites: 350 opened over the last 400 days, 150 opening over the next 300; rates Gamma(2, 40)."""
    active = 350
    opened_ago = rng.integers(10, 400, active)
    opens_in = rng.integers(0, 300, SITES - active)
    counts = rng.poisson(rng.gamma(2.0, 1 / 40, active) * opened_ago)
    roster = SiteRoster.from_columns(
        [f"S{i:03d}" for i in range(SITES)],
        np.concatenate([counts, np.zeros(SITES - active, np.int64)]),
        [AS_OF - timedelta(days=int(d)) for d in opened_ago] + [None] * (SITES - active),
        [None] * active + [AS_OF + timedelta(days=int(d)) for d in opens_in],
    )
    return roster, int(counts.sum()) + 6000


def timed(function, repeat: int) -> tuple[float, float]:
    median, best, _ = timed_with_cpu(function, repeat)
    return median, best


def timed_with_cpu(function, repeat: int) -> tuple[float, float, float]:
    """Median and best wall clock, and median CPU time of this process, after one warm-up."""
    function()  # warm-up: imports, allocator
    timings, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(timings), min(timings), statistics.median(cpu)


def load() -> str:
    return "load average " + ", ".join(f"{value:.1f}" for value in os.getloadavg())


def completion_days_loop(shape, rate, starts, stops, remaining, rng, sims) -> np.ndarray:
    """The same Monte Carlo written plainly: per simulation, draw rates, walk the rate changes in time."""
    out = np.empty(sims)
    for s in range(sims):
        rates = rng.gamma(shape[:, s], 1 / rate[:, s])
        level = rng.gamma(remaining)
        changes = sorted(
            [(t, r) for t, r in zip(starts, rates, strict=True)]
            + [(t, -r) for t, r in zip(stops, rates, strict=True) if np.isfinite(t)]
        )
        now, total, reached = 0.0, 0.0, 0.0
        out[s] = np.inf
        for when, change in changes:
            if total > 0 and reached + total * (when - now) >= level:
                break
            reached += total * (when - now)
            now, total = when, total + change
        if total > 0:
            out[s] = now + (level - reached) / total
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--loop-sims", type=int, default=SIMS)
    parser.add_argument("--replications", type=int, default=2000)
    parser.add_argument("--plug-in", action="store_true", help="also check the plug-in forecast's coverage")
    args = parser.parse_args()

    roster, target = portfolio(np.random.default_rng(20260630))
    print(f"two cores shared with other work: {load()}")
    print(
        f"{SITES} sites ({int(np.isnat(roster.activated_on).sum())} not yet active), {SIMS:,} simulations, "
        f"{int(roster.enrolled.sum())} enrolled, target {target}"
    )

    def whole_forecast():
        return forecast_enrollment(
            roster,
            as_of=AS_OF,
            target=target,
            rng=np.random.default_rng(1),
            sims=SIMS,
            planned_end="2027-06-30",
        )

    median, best = timed(whole_forecast, args.repeat)
    verdict = "under" if median < TARGET_SECONDS else "OVER"
    print(
        f"vectorised forecast (estimate, Monte Carlo, curve, sites): median {median:.3f} s, "
        f"best {best:.3f} s "
        f"({verdict} the {TARGET_SECONDS} s target)"
    )

    report("forecast", "whole forecast", median, unit="s", target=f"< {TARGET_SECONDS} s",
           met=median < TARGET_SECONDS)  # fmt: skip
    result = whole_forecast()
    active, exposure, starts, stops = site_windows(roster, np.datetime64(AS_OF))
    alpha, beta = hyperparameter_draws(result.prior, np.random.default_rng(2), SIMS)
    shape = alpha + np.where(active, roster.enrolled, 0)[:, None]
    rate = beta + np.where(active, exposure, 0.0)[:, None]
    remaining = target - result.enrolled

    def core():
        return simulate_recruitment(
            shape, rate, starts, stops, remaining=remaining, rng=np.random.default_rng(3), sims=SIMS
        )

    core_median, core_best, core_cpu = timed_with_cpu(core, args.repeat)
    print(
        f"vectorised Monte Carlo alone: median {core_median:.3f} s, best {core_best:.3f} s, "
        f"CPU {core_cpu:.3f} s"
    )

    loop_sims = args.loop_sims
    started, started_cpu = time.perf_counter(), time.process_time()
    looped = completion_days_loop(
        shape[:, :loop_sims],
        rate[:, :loop_sims],
        starts,
        stops,
        remaining,
        np.random.default_rng(4),
        loop_sims,
    )
    loop_seconds = time.perf_counter() - started
    loop_cpu = time.process_time() - started_cpu
    per_10k, cpu_per_10k = loop_seconds * SIMS / loop_sims, loop_cpu * SIMS / loop_sims
    vectorised = core().completion_days
    ratio, cpu_ratio = per_10k / core_median, cpu_per_10k / core_cpu
    verdict = "met" if min(ratio, cpu_ratio) >= LOOP_RATIO_GOAL else "NOT MET"
    print(
        f"per-simulation Python loop: {loop_seconds:.2f} s for {loop_sims:,} simulations "
        f"({per_10k:.2f} s per {SIMS:,}, CPU {cpu_per_10k:.2f} s): the vectorised Monte Carlo is "
        f"{ratio:.0f}x faster by the wall clock, {cpu_ratio:.0f}x by CPU time "
        f"(goal {LOOP_RATIO_GOAL}x: {verdict})"
    )
    report("forecast", f"Monte Carlo, {SITES} sites x {SIMS:,} sims", core_median, unit="s",
           peer="per-simulation loop", ratio=ratio, target=f"≥ {LOOP_RATIO_GOAL}× faster",
           met=ratio >= LOOP_RATIO_GOAL)  # fmt: skip
    print(
        f"  same answer: median completion {np.median(looped):.1f} days (loop) vs "
        f"{np.median(vectorised):.1f} days (vectorised)"
    )

    for uncertainty in (True, False) if args.plug_in else (True,):
        started = time.perf_counter()
        check = completion_interval_coverage(
            alpha=2.0,
            beta=40.0,
            rng=np.random.default_rng(2026),
            replications=args.replications,
            parameter_uncertainty=uncertainty,
        )
        label = "forecast" if uncertainty else "plug-in forecast (α, β taken as known)"
        print(
            f"calibration, {label}: the 90% interval held the true completion date in "
            f"{check.covered}/{check.replications} = {check.coverage:.1%} of simulated studies "
            f"({check.coverage_in_days:.1%} in unrounded days; binomial SE {check.standard_error:.1%}; "
            f"expected 88–92%) [{time.perf_counter() - started:.0f} s]"
        )
    print(f"done; {load()}")


if __name__ == "__main__":
    main()
