"""Time the supply forecast for 300 sites × 2,000 simulations × 12 weeks (target: under 2 s) and the
accountability of 100,000 kits (target: under 1 s).

Prints: the forecast (arrival simulation per site and week, with the activation day of each site not yet
active drawn per simulation, recruitment capped at the planned enrollment, kits needed, FEFO waste, three
resupply policies covering each site's lead time + a 28-day review period) with its median and maximum
over repeats, against a per-simulation Python loop doing the same
Monte Carlo on a slice of the simulations (scaled up); the accountability of 100,000 kits in numpy
(`analytics.supply.accountability`) and through the database (`supply.selectors.site_accounts`: two
grouped queries over 100,000 bulk-inserted kits in a fresh SQLite file, 300 sites).

    .venv/bin/python benchmarks/bench_supply.py [--sites 300] [--sims 2000] [--kits 100000] [--repeat 5]
        [--database var/bench_supply.sqlite3] [--no-database]
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from trialdesk.analytics import supply  # noqa: E402

FORECAST_TARGET_SECONDS, ACCOUNTABILITY_TARGET_SECONDS, WEEKS = 2.0, 1.0, 12
POLICIES = (
    supply.ResupplyPolicy("90 % + 2 kits", 0.9, 2),
    supply.ResupplyPolicy("50 % + 2 kits", 0.5, 2),
    supply.ResupplyPolicy("90 %, no safety stock", 0.9, 0),
)


REVIEW_DAYS, SIMS_DEFAULT = 28, 2000


def forecast_inputs(sites: int, rng: np.random.Generator, sims: int = SIMS_DEFAULT) -> dict:
    """Rates Gamma(2 + n, 40 + τ) as an active site's posterior; two thirds open now, the rest in start-up
    with their activation day drawn per simulation from 20 historical cycle times (0–90 days); lead times
    of 3–14 days per site, a 28-day review; recruitment capped at 900 more participants (about the
    expected total, so the cap binds in about half the simulations); kits at 0, 28, 56 and 84 days; 20
    kits on hand per site expiring over the next 30 weeks."""
    enrolled = rng.poisson(8, sites)
    exposure = rng.integers(60, 400, sites).astype(float)
    pending = np.arange(sites) % 3 == 2
    cycles = rng.integers(0, 90, 20).astype(float)
    starts = np.where(pending[:, None], rng.choice(cycles, size=(sites, sims)), 0.0)
    kits = 20 * sites
    return {
        "shape": 2.0 + enrolled,
        "rate": 40.0 + exposure,
        "starts": starts,
        "lead_days": rng.integers(3, 15, sites),
        "remaining": 900,
        "stops": np.full(sites, np.inf),
        "kernel": supply.dispensing_kernel([0, 28, 56, 84], [1, 1, 1, 1], WEEKS),
        "scheduled": rng.poisson(1.0, (sites, WEEKS)),
        "expiry": rng.integers(0, 210, kits),
        "kit_site": np.repeat(np.arange(sites), 20),
    }


def run_forecast(inputs: dict, sims: int, seed: int = 1) -> supply.SupplyForecast:
    rng = np.random.default_rng(seed)
    arrivals = supply.weekly_arrivals(
        inputs["shape"], inputs["rate"], inputs["starts"][:, :sims], inputs["stops"], weeks=WEEKS, rng=rng,
        sims=sims,
    )  # fmt: skip
    arrivals = supply.cap_arrivals(arrivals, inputs["remaining"], rng)
    return supply.forecast_supply(
        arrivals=arrivals,
        kernel=inputs["kernel"],
        scheduled=inputs["scheduled"],
        kit_expiry_days=inputs["expiry"],
        kit_site=inputs["kit_site"],
        policies=POLICIES,
        shipment_expiry_days=63,
        horizon_weeks=WEEKS,
        lead_days=inputs["lead_days"],
        review_days=REVIEW_DAYS,
    )


def loop_forecast(inputs: dict, sims: int, seed: int = 1) -> float:
    """The same Monte Carlo one simulation and one site at a time (FEFO by walking the expiry buckets; the
    cap and the resupply policies left out, so the loop is, if anything, favoured)."""
    rng = np.random.default_rng(seed)
    sites = len(inputs["shape"])
    days = supply.open_days(inputs["starts"][:, :sims], inputs["stops"], WEEKS)
    expiry_week = inputs["expiry"] // 7
    wasted = 0
    for sim in range(sims):
        for i in range(sites):
            rate = rng.gamma(inputs["shape"][i]) / inputs["rate"][i]
            arrivals = [rng.poisson(rate * d) for d in days[i, sim]]
            demand = list(inputs["scheduled"][i])
            for week, count in enumerate(arrivals):
                for lag, kits in enumerate(inputs["kernel"]):
                    if kits and week + lag < WEEKS:
                        demand[week + lag] += count * kits
            buckets = sorted(int(w) for w in expiry_week[inputs["kit_site"] == i])
            for week in range(1, WEEKS + 1):
                usable = [w for w in buckets if w >= week]
                wasted += len(buckets) - len(usable)
                buckets = usable[demand[week - 1] :]
    return wasted


CPU_TIMES: list[float] = []


def timed(function, repeat: int) -> list[float]:
    """Wall-clock seconds of each repeat (after one warm-up); the process's CPU seconds go to CPU_TIMES,
    which a loaded machine inflates less than the wall clock."""
    function()
    timings = []
    CPU_TIMES.clear()
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        function()
        timings.append(time.perf_counter() - started)
        CPU_TIMES.append(time.process_time() - cpu)
    return timings


def bench_forecast(args) -> None:
    inputs = forecast_inputs(args.sites, np.random.default_rng(7), args.sims)
    timings = timed(lambda: run_forecast(inputs, args.sims), args.repeat)
    result = run_forecast(inputs, args.sims)
    median = statistics.median(timings)
    print(
        f"supply forecast, {args.sites} sites × {args.sims} simulations × {WEEKS} weeks: "
        f"median {median:.3f} s, "
        f"max {max(timings):.3f} s "
        f"(target {FORECAST_TARGET_SECONDS} s: {'met' if median < FORECAST_TARGET_SECONDS else 'NOT met'}); "
        f"CPU median {statistics.median(CPU_TIMES):.3f} s; load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"  kits needed (all sites) 50 % {int(result.needed[:, 0].sum())}, "
        f"90 % {int(result.needed[:, 1].sum())}; "
        f"on hand {int(result.on_hand.sum())}, expiring in horizon {int(result.expiring_in_horizon.sum())}"
    )
    for outcome in result.outcomes:
        print(
            f"  policy {outcome.policy.label}: ship {int(outcome.shipments.sum())} kits, projected waste "
            f"{outcome.projected_waste_kits:.1f} kits, "
            f"expected sites out of stock {outcome.expected_stockout_sites:.2f}"
        )
    loop_sims = max(args.sims // 100, 1)
    started = time.perf_counter()
    loop_forecast(inputs, loop_sims)
    loop = (time.perf_counter() - started) * args.sims / loop_sims
    print(
        f"  per-simulation Python loop (waste only, {loop_sims} simulations timed, scaled to {args.sims}): "
        f"{loop:.1f} s, {loop / median:.0f}× the vectorised forecast"
    )


def bench_accountability_numpy(args) -> None:
    rng = np.random.default_rng(3)
    sites = rng.integers(0, args.sites, args.kits)
    states = rng.integers(0, 8, args.kits)
    timings = timed(lambda: supply.accountability(sites, states, args.sites, 8), args.repeat)
    print(
        f"accountability of {args.kits} kits in numpy ({args.sites} sites × 8 states): median "
        f"{statistics.median(timings) * 1000:.2f} ms"
    )


def bench_accountability_database(args) -> None:
    from generate import configure_django, fresh_sqlite_file

    fresh_sqlite_file(args.database)
    configure_django(args.database)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    study = fill_kits(sites=args.sites, kits=args.kits)
    from trialdesk.supply import selectors

    timings = timed(lambda: selectors.site_accounts(study), args.repeat)
    accounts = selectors.site_accounts(study)
    median = statistics.median(timings)
    print(
        f"accountability of {args.kits} kits through the database (site_accounts, {len(accounts)} sites, "
        f"SQLite): median {median * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms "
        f"(target {ACCOUNTABILITY_TARGET_SECONDS} s: "
        f"{'met' if median < ACCOUNTABILITY_TARGET_SECONDS else 'NOT met'}); "
        f"reconciled sites {sum(a.reconciled for a in accounts.values())}"
    )


def fill_kits(*, sites: int, kits: int):
    """One study, `sites` enrolling sites, one shipment received at each, `kits` kits spread over them in
    every state (bulk-inserted, not through the audited write path: a bench fixture, not trial data)."""
    from django.db import transaction

    from trialdesk.sites.models import Institution, StudySite
    from trialdesk.studies.models import Study
    from trialdesk.supply.models import Depot, Kit, KitStatus, KitType, Lot, Product, Shipment

    today = dt.date(2026, 12, 1)
    states = [s for s in KitStatus.values if s != KitStatus.IN_TRANSIT]
    with transaction.atomic():
        study = Study.objects.create(
            code="BENCH-IP", title="Bench study for supply", phase="III", therapeutic_area="Oncology",
            sponsor="Bench", planned_enrollment=1000,
        )  # fmt: skip
        institution = Institution.objects.create(
            name="Bench Hospital", city="Berlin", country="DE", time_zone="Europe/Berlin"
        )
        site_rows = StudySite.objects.bulk_create(
            StudySite(study=study, institution=institution, site_number=str(1001 + i), status="enrolling")
            for i in range(sites)
        )
        product = Product.objects.create(
            study=study, code="IMP", name="Bench drug", storage_min_c=2, storage_max_c=8
        )
        kit_type = KitType.objects.create(study=study, product=product, code="K", name="Bottle")
        lot = Lot.objects.create(
            study=study, product=product, number="L1", expires_on=today, storage_min_c=2, storage_max_c=8
        )
        depot = Depot.objects.create(study=study, name="Bench depot", country="DE")
        shipments = Shipment.objects.bulk_create(
            Shipment(
                study=study, number=f"S{i}", from_depot=depot, study_site=site, status="received",
                shipped_on=today, received_on=today, kits_shipped=kits // sites,
            )
            for i, site in enumerate(site_rows)
        )  # fmt: skip
        Kit.objects.bulk_create(
            (
                Kit(
                    study=study, kit_type=kit_type, lot=lot, number=f"K{k:06d}",
                    status=states[k % len(states)], study_site=site_rows[k % sites],
                    shipment=shipments[k % sites],
                )
                for k in range(kits)
            ),
            batch_size=5000,
        )  # fmt: skip
    return study


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=300)
    parser.add_argument("--sims", type=int, default=2000)
    parser.add_argument("--kits", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database", default="var/bench_supply.sqlite3")
    parser.add_argument("--no-database", action="store_true", help="skip the database accountability")
    args = parser.parse_args()
    bench_forecast(args)
    bench_accountability_numpy(args)
    if not args.no_database:
        bench_accountability_database(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
