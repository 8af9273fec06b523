"""Monitoring's sub-commands of `trialdesk rbqm` (registered in core.extensions.command_actions):

    trialdesk rbqm qtl --study CODE --json        quality tolerance limits, their values and status
    trialdesk rbqm signals --study CODE --json    signals opened by red KRI flags, and their triage

Both are the daily job of RBQM too: `qtl` opens an issue for each new breach and `signals` opens a
signal for each new red flag, both as "system", before reporting (`--dry-run` only reports).
"""

import json

from django.core.management.base import CommandError

from trialdesk.core.extensions import CommandAction
from trialdesk.monitoring import services
from trialdesk.monitoring.models import Signal
from trialdesk.monitoring.selectors.qtls import study_qtl_readings
from trialdesk.studies.models import Study


def _common(parser) -> None:
    parser.add_argument("--study", required=True, metavar="CODE", help="the study's protocol number")
    parser.add_argument("--json", action="store_true", dest="as_json", help="print JSON")
    parser.add_argument("--dry-run", action="store_true", help="report only: open no issue or signal")


def _study(options) -> Study:
    study = Study.objects.filter(code=options["study"]).first()
    if study is None:
        raise CommandError(f"--study: no study has the protocol number {options['study']!r}", returncode=2)
    return study


def qtl(command, options) -> None:
    study = _study(options)
    if not options["dry_run"]:
        for issue in services.record_qtl_breaches(study=study, by=None):
            command.stderr.write(f"opened {issue} for {issue.qtl}: {issue.title}")
    readings = [reading for reading in study_qtl_readings(study) if reading.qtl is not None]
    if options["as_json"]:
        command.stdout.write(json.dumps([reading.as_dict() for reading in readings], indent=2))
        return
    for reading in readings:
        value = "no data" if reading.value is None else f"{reading.value:.1f} %"
        command.stdout.write(
            f"{reading.label}: {value} (limit {reading.qtl.limit} %) {reading.status} — {reading.explanation}"
        )


def signal_rows(study: Study) -> list[dict]:
    rows = Signal.objects.filter(study=study).select_related("study_site").order_by("-opened_on", "-id")
    return [
        {
            "site": signal.study_site.site_number,
            "kri": signal.kri_key,
            "flag": signal.flag,
            "score": signal.score,
            "opened_on": signal.opened_on.isoformat(),
            "status": signal.status,
            "decision": signal.decision or None,
        }
        for signal in rows
    ]


def signals(command, options) -> None:
    study = _study(options)
    if not options["dry_run"]:
        for signal in services.open_signals(study=study, by=None):
            command.stderr.write(
                f"opened signal #{signal.pk}: site {signal.study_site.site_number} {signal.kri_key}"
            )
    rows = signal_rows(study)
    if options["as_json"]:
        command.stdout.write(json.dumps(rows, indent=2))
        return
    for row in rows:
        decided = f", decided {row['decision']}" if row["decision"] else ""
        command.stdout.write(
            f"{row['opened_on']} site {row['site']} {row['kri']} flag {row['flag']}: {row['status']}{decided}"
        )


ACTIONS = (
    CommandAction(
        "rbqm", "qtl", "quality tolerance limits of a study; opens issues for new breaches", _common, qtl, 10
    ),
    CommandAction(
        "rbqm", "signals", "signals from red KRI flags of a study; opens new ones", _common, signals, 20
    ),
)
