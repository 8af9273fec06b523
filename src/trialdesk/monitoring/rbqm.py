"""Monitoring's sub-commands of `trialdesk rbqm` (registered in core.extensions.command_actions):

    trialdesk rbqm qtl --study CODE --json        quality tolerance limits, their values and status
    trialdesk rbqm signals --study CODE --json    signals opened by red KRI flags, and their triage
    trialdesk rbqm tiers [--study CODE] --json    scores the KRIs and stores each site's flags for the
                                                  risk tiers the oversight page reads (every study with
                                                  a monitoring plan by default: the nightly job)

`qtl` and `signals` are the daily job of RBQM too: `qtl` opens an issue for each new breach and `signals`
opens a signal for each new red flag (and stores the flags for the tiers), both as "system", before
reporting (`--dry-run` only reports).
"""

import json

from django.core.management.base import CommandError

from trialdesk.core.extensions import CommandAction
from trialdesk.monitoring import services
from trialdesk.monitoring.models import MonitoringPlan, Signal
from trialdesk.monitoring.selectors.qtls import study_qtl_readings
from trialdesk.monitoring.selectors.tiers import stored_tiers
from trialdesk.sites.models import StudySite
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


def _tier_arguments(parser) -> None:
    parser.add_argument("--study", metavar="CODE", help="one study (default: every study with a plan)")
    parser.add_argument("--json", action="store_true", dest="as_json", help="print JSON")


def tier_rows(study: Study) -> list[dict]:
    sites = StudySite.objects.filter(study=study)
    numbers = dict(sites.values_list("pk", "site_number"))
    found = stored_tiers(sites, [study.pk])
    return [
        {
            "study": study.code,
            "site": numbers[site_id],
            "tier": tier.tier,
            "points": tier.reading.points,
            "reasons": list(tier.reading.reasons),
            "kris_scored_at": tier.scored_at.isoformat(),
        }
        for site_id, tier in sorted(found.items(), key=lambda item: numbers[item[0]])
    ]


def tiers(command, options) -> None:
    if options["study"]:
        studies = [_study(options)]
    else:
        studies = list(
            Study.objects.filter(pk__in=MonitoringPlan.objects.values("study_id")).order_by("code")
        )
    rows = []
    for study in studies:
        count = services.store_tier_flags(study=study, by=None)
        command.stderr.write(f"{study.code}: KRIs scored, flags stored for {count} sites")
        rows += tier_rows(study)
    if options["as_json"]:
        command.stdout.write(json.dumps(rows, indent=2))
        return
    for row in rows:
        command.stdout.write(
            f"{row['study']} site {row['site']}: {row['tier']} — {'; '.join(row['reasons'])}"
        )


ACTIONS = (
    CommandAction(
        "rbqm", "qtl", "quality tolerance limits of a study; opens issues for new breaches", _common, qtl, 10
    ),
    CommandAction(
        "rbqm", "signals", "signals from red KRI flags of a study; opens new ones", _common, signals, 20
    ),
    CommandAction(
        "rbqm",
        "tiers",
        "scores the KRIs and stores the sites' flags for the risk tiers (nightly)",
        _tier_arguments,
        tiers,
        30,
    ),
)
