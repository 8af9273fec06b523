"""Time the `trialdesk` command line's start-up against its peers (issue 19 §2).

Targets on an idle machine: `trialdesk stats sample-size …` under 0.5 s and `trialdesk --help` under
0.3 s. Each command line runs `--repeat` times as a fresh process; the median wall-clock time and the
median CPU time (user + system, which a busy shared machine inflates less) are printed with their ratio
to the peers: `python -c pass` (the interpreter) and `django-admin --version` (Django with no project).

Also timed, to show where what is left goes: loading every app (`django.setup()`, what each command
that uses the database pays) and importing `scipy.stats` (what the sample-size calculation imports).

    python benchmarks/bench_cli.py [--repeat 7]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from measure import report

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SAMPLE_SIZE = ["stats", "sample-size", "two-means", "--delta", "5", "--sd", "10", "--power", "0.8"]


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one run of `argv`, which must succeed."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {process.stderr.read().decode()}")
    process.stderr.close()
    return wall, usage.ru_utime + usage.ru_stime


def median_times(argv: list[str], env: dict[str, str], repeat: int) -> tuple[float, float]:
    run(argv, env)  # warm the file cache and the .pyc files
    walls, cpus = zip(*(run(argv, env) for _ in range(repeat)), strict=True)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=7)
    options = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="bench-cli-")
    rows = Path(data_dir) / "rows.csv"
    rows.write_text(
        "GroupID,GroupLevel,Numerator,Denominator\nS1,Site,1,10\nS2,Site,3,12\n", encoding="utf-8"
    )
    project = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "DJANGO_SETTINGS_MODULE": "trialdesk.settings",
        "TRIALDESK_DATA_DIR": data_dir,
    }
    if not project.get("SECRET_KEY"):
        project["DEBUG"] = "1"
    bare = {key: value for key, value in project.items() if key != "DJANGO_SETTINGS_MODULE"}
    django_admin = [PYTHON, "-m", "django", "--version"]
    trialdesk = [PYTHON, "-m", "trialdesk"]

    # (label, argv, environment, target seconds or None)
    cases = [
        ("python -c pass", [PYTHON, "-c", "pass"], bare, None),
        ("django-admin --version", django_admin, bare, None),
        ("trialdesk --help", [*trialdesk, "--help"], project, 0.3),
        ("trialdesk stats sample-size two-means", [*trialdesk, *SAMPLE_SIZE], project, 0.5),
        (
            "trialdesk monitoring carbon",
            [*trialdesk, "monitoring", "carbon", "--from", "48.14,11.58", "--to", "52.52,13.40",
             "--mode", "rail"],
            project,
            None,
        ),
        (
            "trialdesk rbqm score (3 rows)",
            [*trialdesk, "rbqm", "score", "--input", str(rows), "--method", "normal", "--type", "rate",
             "--format", "csv"],
            project,
            None,
        ),
        (
            "  the same sample-size, every app loaded",
            [PYTHON, "-c", "import sys; from django.core.management import execute_from_command_line as run; "
             "import django; django.setup(); run(['trialdesk', *sys.argv[1:]])", *SAMPLE_SIZE],
            project,
            None,
        ),
        ("  django.setup() (every app)", [PYTHON, "-c", "import django; django.setup()"], project, None),
        ("  import scipy.stats", [PYTHON, "-c", "import scipy.stats"], bare, None),
    ]  # fmt: skip
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, "
          f"median of {options.repeat} runs each")  # fmt: skip
    print(f"{'command':<42} {'wall s':>7} {'CPU s':>7} {'× pass':>7} {'× django-admin':>15}  target")
    peers: dict[str, float] = {}
    for label, argv, env, target in cases:
        wall, cpu = median_times(argv, env, options.repeat)
        peers.setdefault(label, wall)
        ratio_pass = wall / peers["python -c pass"]
        ratio_django = wall / peers.get("django-admin --version", wall)
        met = "" if target is None else f"< {target} s: {'yes' if wall < target else 'NO'}"
        print(f"{label:<42} {wall:>7.3f} {cpu:>7.3f} {ratio_pass:>6.1f}× {ratio_django:>14.1f}×  {met}")
        if target is not None:
            report("cli", label, wall, unit="s", peer="django-admin --version", ratio=ratio_django,
                   target=f"< {target} s", met=wall < target)  # fmt: skip


if __name__ == "__main__":
    main()
