"""`make bench`: every benchmark in benchmarks/ at a quick size, then one summary table.

Each bench runs as its own process with its usual output shown as it goes; the headline figures it hands
to `measure.report` (a JSON line each, in the file named by TRIALDESK_BENCH_REPORT) make the table:
benchmark, figure, peer, ratio, target, met?. A bench that reports no figure gets a row with its wall
time, and one that fails a row saying so (the others still run; the exit status is 1 then). The sizes
here are small so the whole run takes minutes; each bench's own defaults are the sizes its figures in
README.md were measured at. The locust load test (locust_serve.py) needs PostgreSQL and server processes
and is left out: run it by hand (README.md).

    .venv/bin/python benchmarks/run_all.py [--only kri forecast …] [--data var/bench]
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable

# (bench, its arguments at a quick size); {data} is the folder of the benches' SQLite files.
QUICK: list[tuple[str, list[str]]] = [
    ("cli", ["--repeat", "3"]),
    ("kri", ["--rows", "200000", "--sites", "4000", "--repeat", "3", "--no-process"]),
    ("forecast", ["--repeat", "3", "--loop-sims", "200", "--replications", "200"]),
    ("ctgov", ["--records", "50", "--sites", "5", "--big-sites", "1200",
               "--database", "{data}/ctgov.sqlite3"]),
    ("bulk", ["--rows", "200", "--database", "{data}/bulk.sqlite3"]),
    ("odm", ["--participants", "200", "--visits", "5", "--import-visits", "100", "--memory", "1", "2",
             "--database", "{data}/odm.sqlite3"]),
    ("portfolio", ["--database", "{data}/portfolio.sqlite3", "--repeat", "5"]),
    ("home", ["--database", "{data}/portfolio.sqlite3", "--repeat", "5"]),
    ("audit_verify", ["--records", "2000", "--database", "{data}/audit.sqlite3"]),
    ("demo", ["--repeat", "1"]),
    ("documents", ["--sites", "30", "--repeat", "2", "--database", "{data}/documents.sqlite3"]),
    ("eligibility", ["--candidates", "10000", "--repeat", "2"]),
    ("finance", ["--sites", "30", "--participants", "1000", "--visits", "5",
                 "--database", "{data}/finance.sqlite3"]),
    ("monitoring", ["--studies", "5", "--sites-per-study", "20", "--repeat", "2",
                    "--database", "{data}/monitoring.sqlite3"]),
    ("people", ["--sites", "30", "--repeat", "5", "--database", "{data}/people.sqlite3"]),
    ("randomization", ["--runs", "20"]),
    ("reconsent", ["--participants", "500", "--repeat", "5", "--database", "{data}/reconsent.sqlite3"]),
    ("regulatory", ["--sites", "30", "--participants", "1000", "--repeat", "3",
                    "--database", "{data}/regulatory.sqlite3"]),
    ("report", ["--repeat", "2", "--database", "{data}/report.sqlite3"]),
    ("safety", ["--events", "10000", "--obligations", "5000", "--repeat", "3",
                "--database", "{data}/safety.sqlite3"]),
    ("schedules", ["--participants", "5000", "--sample", "50", "--database", "{data}/schedules.sqlite3"]),
    ("supply", ["--sites", "30", "--sims", "200", "--kits", "10000", "--repeat", "2",
                "--database", "{data}/supply.sqlite3"]),
]  # fmt: skip
# The portfolio and My work benches read a database generate.py makes first.
GENERATE = ["--studies", "100", "--sites-per-study", "10", "--crm-studies", "20"]


def run(bench: str, arguments: list[str], *, env: dict, report: Path) -> dict:
    """Run one bench; its reported figures, or one row with its wall time (and failure, if it failed)."""
    report.unlink(missing_ok=True)
    print(f"\n=== bench_{bench}.py {' '.join(arguments)}", flush=True)
    started = time.perf_counter()
    done = subprocess.run([PYTHON, str(HERE / f"bench_{bench}.py"), *arguments], env=env, check=False)
    seconds = time.perf_counter() - started
    rows = [json.loads(line) for line in report.read_text().splitlines()] if report.exists() else []
    if done.returncode != 0:
        rows.append({"benchmark": bench, "figure": f"FAILED (exit {done.returncode})", "met": False})
    if not rows:
        rows.append({"benchmark": bench, "figure": "run (no headline figure reported)", "value": seconds,
                     "unit": "s"})  # fmt: skip
    return {"rows": rows, "seconds": seconds, "ok": done.returncode == 0}


def shown(row: dict) -> list[str]:
    value = row.get("value")
    unit = row.get("unit", "")
    figure = row["figure"] if value is None else f"{row['figure']}: {value:.4g} {unit}".rstrip()
    ratio = row.get("ratio")
    met = {True: "yes", False: "NO", None: ""}[row.get("met")]
    return [row["benchmark"], figure, row.get("peer", ""), "" if ratio is None else f"{ratio:g}×",
            row.get("target", ""), met]  # fmt: skip


def table(rows: list[dict]) -> str:
    header = ["benchmark", "figure", "peer", "ratio", "target", "met?"]
    cells = [header] + [shown(row) for row in rows]
    widths = [max(len(line[column]) for line in cells) for column in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)) for line in cells]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", metavar="BENCH", help="these benches only (kri, forecast, …)")
    parser.add_argument("--data", default="var/bench", help="folder for the benches' SQLite files")
    options = parser.parse_args()
    data = Path(options.data).resolve()
    data.mkdir(parents=True, exist_ok=True)
    report = data / "figures.jsonl"
    env = {**os.environ, "TRIALDESK_BENCH_REPORT": str(report), "DEBUG": os.environ.get("DEBUG", "1")}
    env.pop("DATABASE_URL", None)  # every bench on its own SQLite file here
    chosen = [(bench, args) for bench, args in QUICK if not options.only or bench in options.only]
    started = time.perf_counter()
    if any(bench in ("portfolio", "home") for bench, _ in chosen):
        (data / "portfolio.sqlite3").unlink(missing_ok=True)
        subprocess.run(
            [PYTHON, str(HERE / "generate.py"), *GENERATE, "--database", str(data / "portfolio.sqlite3")],
            env=env,
            check=True,
        )
    rows, failed, ran = [], [], 0
    try:
        for bench, arguments in chosen:
            outcome = run(bench, [a.format(data=data) for a in arguments], env=env, report=report)
            rows.extend(outcome["rows"])
            ran += 1
            if not outcome["ok"]:
                failed.append(bench)
    except KeyboardInterrupt:  # Ctrl-C: the table of what has run so far
        failed.append("(interrupted)")
    print(f"\n=== summary ({ran} of {len(chosen)} benches, {time.perf_counter() - started:.0f} s, "
          f"load {os.getloadavg()[0]:.1f})")  # fmt: skip
    print(table(rows))
    if failed:
        print(f"failed: {', '.join(failed)}")
        sys.exit(1)


if __name__ == "__main__":
    main()
