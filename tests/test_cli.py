"""The `trialdesk` console script starts fast without changing what it does (trialdesk.cli, issue 19 §2).

The overview lists the commands without loading the apps, so it must list exactly what Django finds;
offline calculations run without the apps, so a fresh interpreter runs each and checks no app was loaded;
the commands that need no web app skip the system checks (which import every URL and API module).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import ManagementUtility, get_commands, load_command_class

from trialdesk import cli

# Commands that need no web app (issue 19 §2): none may run the system checks.
NEED_NO_WEB_APP = (
    "stats",
    "rbqm",
    "forecast",
    "safety",
    "import",
    "export",
    "finance",
    "eligibility",
    "monitoring",
)


@pytest.mark.parametrize("name", NEED_NO_WEB_APP)
def test_a_command_that_needs_no_web_app_runs_no_system_checks(name):
    assert load_command_class(get_commands()[name], name).requires_system_checks == []


def test_the_commands_found_without_loading_the_apps_are_djangos():
    assert cli.command_apps() == get_commands()


def test_help_lists_the_same_commands_as_djangos_own_help():
    assert cli.overview(["--help"]) == ManagementUtility(["trialdesk"]).main_help_text()
    assert cli.overview(["help", "--commands"]) == ManagementUtility(["trialdesk"]).main_help_text(
        commands_only=True
    )


def test_every_offline_command_is_a_command_and_its_actions_are_its_own():
    for name, actions in cli.OFFLINE.items():
        parser = load_command_class(get_commands()[name], name).create_parser("trialdesk", name)
        choices = next(action.choices for action in parser._actions if action.dest in ("action", "forecast"))
        assert actions <= set(choices), name


@pytest.mark.parametrize(
    "args, offline",
    [
        (["stats", "sample-size", "two-means"], True),
        (["monitoring", "carbon", "--from", "1,1"], True),
        (["monitoring", "due"], False),
        (["forecast", "refresh"], False),
        (["stats", "sample-size", "--settings", "other"], False),
        (["stats"], False),
        (["migrate"], False),
    ],
)
def test_only_the_offline_actions_skip_loading_the_apps(args, offline):
    assert cli.is_offline(args) is offline


# Run by a fresh interpreter: the overview and each offline action through trialdesk.cli.main, then what
# was loaded. A command's exit (SystemExit) is kept as its status.
SCRIPT = """
import contextlib, io, json, sys
from trialdesk import cli

results = []
for argv in json.loads(sys.argv[1]):
    sys.argv = ["trialdesk", *argv]
    out = io.StringIO()
    status = 0
    with contextlib.redirect_stdout(out):
        try:
            cli.main()
        except SystemExit as exit:
            status = exit.code or 0
    results.append({"argv": argv, "status": status, "out": out.getvalue()})
from django.apps import apps
from django.utils.translation import gettext
print(json.dumps({
    "gettext": gettext("Study"),
    "results": results,
    "apps_ready": apps.ready,
    "models": sorted(m for m in sys.modules if m.startswith("trialdesk") and ".models" in m),
}))
"""


@pytest.fixture(scope="module")
def offline_run(tmp_path_factory):
    here = tmp_path_factory.mktemp("offline")
    files = {
        "event.json": json.dumps(
            {
                "product": "drug",
                "jurisdictions": ["US"],
                "serious": True,
                "seriousness": ["death"],
                "expected": False,
                "related": True,
                "unanticipated_device_effect": False,
                "site_aware_at": "2025-12-30T16:00:00-05:00",
                "sponsor_aware_at": "2025-12-31T09:00:00+01:00",
                "site_timezone": "America/New_York",
                "sponsor_timezone": "Europe/Berlin",
            }
        ),
        "budget.json": json.dumps({"currency": "EUR", "visit_fees": {"V1": "100.00"}}),
        "events.json": json.dumps([{"kind": "visit", "code": "V1", "participant": "P1", "on": "2025-01-05"}]),
        "criteria.txt": "Inclusion Criteria:\n\n* Age 18 to 75 years\n\nExclusion Criteria:\n\n* Pregnancy\n",
        "rows.csv": "GroupID,GroupLevel,Numerator,Denominator\nS1,Site,1,10\nS2,Site,3,12\nS3,Site,2,9\n",
        "sites.csv": "site,activated_on,planned_activation_on,enrolled,closed_on\n"
        "S01,2025-10-01,2025-09-15,40,\nS02,2025-11-15,2025-11-01,22,\n",
    }
    for name, text in files.items():
        (here / name).write_text(text, encoding="utf-8")
    cases = [
        ["--help"],
        ["stats", "sample-size", "two-means", "--delta", "5", "--sd", "10", "--power", "0.8", "--json"],
        ["stats", "randomization-list", "--arms", "A,B", "--block-sizes", "4", "--per-stratum", "4",
         "--seed", "1"],
        ["safety", "clocks", "--event", str(here / "event.json"), "--as-of", "2026-01-01T00:00:00+00:00"],
        ["finance", "earnings", "--budget", str(here / "budget.json"), "--events", str(here / "events.json")],
        ["eligibility", "parse", "--text-file", str(here / "criteria.txt"), "--json"],
        ["monitoring", "carbon", "--from", "48.14,11.58", "--to", "52.52,13.40", "--mode", "rail"],
        ["forecast", "enrollment", "--sites", str(here / "sites.csv"), "--target", "80", "--as-of",
         "2026-01-31", "--sims", "200", "--json"],
        ["stats", "sample-size", "two-means", "--delta", "x", "--sd", "10", "--power", "0.8"],
        ["rbqm", "score", "--input", str(here / "rows.csv"), "--method", "normal", "--type", "rate",
         "--format", "json"],
    ]  # fmt: skip
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(cli_source()), os.environ.get("PYTHONPATH")])),
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(cases)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def cli_source() -> Path:
    return Path(cli.__file__).resolve().parents[1]


def test_offline_actions_run_without_loading_any_app(offline_run):
    assert offline_run["apps_ready"] is False
    assert offline_run["models"] == []
    # A message marked for translation still prints (untranslated, as in every command).
    assert offline_run["gettext"] == "Study"


def test_offline_actions_print_what_they_compute(offline_run):
    results = offline_run["results"]
    assert [result["status"] for result in results] == [0, 0, 0, 0, 0, 0, 0, 0, 2, 0]
    assert "[statistics]" in results[0]["out"] and "    stats" in results[0]["out"]
    assert json.loads(results[1]["out"])["n_per_group"] == [64, 64]
    assert results[2]["out"].splitlines()[0] == "stratum,sequence,block,block_size,arm"
    assert "kg CO2e" in results[6]["out"]
    assert json.loads(results[7]["out"])["target"] == 80
    assert "S2" in results[9]["out"]


def test_a_lazy_registration_imports_its_function_when_first_called():
    from trialdesk.core import extensions

    dumps = extensions.lazy("json.dumps")
    assert (dumps.__name__, dumps.lazy_path) == ("dumps", "json.dumps")
    assert dumps([1], separators=(",", ":")) == "[1]"
