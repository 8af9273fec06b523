"""`trialdesk rbqm score` scores a key risk indicator per site from a gsm analytics-input CSV.

Apps above add their own `rbqm` sub-commands through core.extensions.command_actions (monitoring's
`rbqm qtl` and `rbqm signals`); this command lists them and hands them their options.
"""

import csv
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError, CommandParser

from trialdesk.analytics import kri
from trialdesk.analytics.kri.reading import read_analytics_columns
from trialdesk.core import extensions
from trialdesk.interop import tabular

#: Columns of gsm's analytics input that scoring needs (SubjectID and others may be present and are
#: not used: a row's participant does not change its group's sums).
REQUIRED_COLUMNS = ("GroupID", "GroupLevel", "Numerator", "Denominator")
OUTPUT_COLUMNS = ("GroupID", "Numerator", "Denominator", "Metric", "Score", "Flag")
#: Options whose values are comma-separated numbers that may start with a minus sign.
NUMBER_LIST_OPTIONS = ("--thresholds", "--flags")


class NumberListParser(CommandParser):
    """Reads ``--thresholds -3,-2,2,3`` as well as ``--thresholds=-3,-2,2,3``.

    argparse takes a value that starts with "-" and is not a single negative number for an option and
    stops; joining the option and its value with "=" before parsing avoids that.
    """

    def parse_known_args(self, args=None, namespace=None):
        if args is not None:
            args = join_number_lists(list(args))
        return super().parse_known_args(args, namespace)


def join_number_lists(args: list[str]) -> list[str]:
    joined, position = [], 0
    while position < len(args):
        if args[position] in NUMBER_LIST_OPTIONS and position + 1 < len(args):
            joined.append(f"{args[position]}={args[position + 1]}")
            position += 2
        else:
            joined.append(args[position])
            position += 1
    return joined


@dataclass(frozen=True)
class ParticipantRows:
    """The needed columns of an analytics-input CSV; ``line_numbers[i]`` is row i's line in the file."""

    group_ids: "np.ndarray | kri.GroupCodes"
    numerator: np.ndarray
    denominator: np.ndarray
    line_numbers: np.ndarray


class Command(BaseCommand):
    help = (
        "Risk-based quality management. `rbqm score` scores a key risk indicator per group (site, "
        "country) from participant rows in gsm's analytics layout, with gsm's methods, and prints GroupID, "
        "Numerator, Denominator, Metric, Score, Flag; the apps keeping the records add further sub-commands."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        added = extensions.actions_of("rbqm")
        actions = parser.add_subparsers(
            dest="action",
            required=True,
            metavar="{" + ",".join(["score", *(action.key for action in added)]) + "}",
            parser_class=NumberListParser,
        )
        score = actions.add_parser("score", help="score one KRI from a CSV of participant rows")
        score.add_argument(
            "--input", required=True, metavar="CSV", help="columns " + ", ".join(REQUIRED_COLUMNS)
        )
        score.add_argument("--method", required=True, choices=kri.METHODS)
        score.add_argument("--type", required=True, choices=kri.METRIC_TYPES, dest="metric_type")
        score.add_argument(
            "--thresholds",
            metavar="T1,T2,...",
            help="increasing flag thresholds (default -3,-2,2,3; for fisher the p-values 0.01,0.05)",
        )
        score.add_argument(
            "--flags", metavar="F0,F1,...", help="one flag per interval, one more than thresholds"
        )
        score.add_argument(
            "--min-denominator", type=float, metavar="N", help="groups below N get no score or flag"
        )
        score.add_argument("--format", required=True, choices=("csv", "json"), dest="output_format")
        for action in added:
            action.add_arguments(actions.add_parser(action.key, help=action.help))

    def handle(self, *args, action: str, **options):
        if action != "score":
            extensions.command_actions.get(f"rbqm {action}").handle(self, options)
            return
        thresholds = parse_number_list(options["thresholds"], "--thresholds", float)
        flags = parse_number_list(options["flags"], "--flags", int)
        rows = read_analytics_input(Path(options["input"]))
        try:
            scores = kri.score_groups(
                rows.group_ids,
                rows.numerator,
                rows.denominator,
                method=options["method"],
                metric_type=options["metric_type"],
                thresholds=thresholds,
                flags=flags,
                min_denominator=options["min_denominator"],
            )
        except kri.KriInputError as error:
            raise CommandError(describe(error, rows), returncode=2) from error
        if len(scores.excluded_group_ids):
            names = ", ".join(map(str, scores.excluded_group_ids[:10]))
            more = "…" if len(scores.excluded_group_ids) > 10 else ""
            self.stderr.write(
                f"{len(scores.excluded_group_ids)} group(s) with a Denominator of 0 left out, as gsm "
                f"does: {names}{more}"
            )
        writer = write_csv if options["output_format"] == "csv" else write_json
        self.stdout.write(writer(scores), ending="")


def parse_number_list(text: str | None, option: str, kind) -> tuple | None:
    if text is None:
        return None
    try:
        values = tuple(kind(part) for part in text.split(","))
    except ValueError:
        raise CommandError(
            f"{option}: {text!r} is not a comma-separated list of numbers", returncode=2
        ) from None
    if not all(math.isfinite(v) for v in values):
        raise CommandError(f"{option}: {text!r} holds a number that is not finite", returncode=2)
    return values


def describe(error: kri.KriInputError, rows: ParticipantRows) -> str:
    """The analytics' message with the option or the CSV line it is about."""
    if error.field in ("thresholds", "flags", "min_denominator", "method", "type"):
        return f"--{error.field.replace('_', '-')}: {error}"
    if error.index is not None:
        return f"line {rows.line_numbers[error.index]}: {error}"
    return f"{error.field}: {error}"


def read_analytics_input(path: Path) -> ParticipantRows:
    """Read the CSV's needed columns into arrays, refusing (exit 2) the first problem with its line.

    A plain file is read whole by numpy (``kri.reading``), its group ids factorised as they are read;
    a file that path declines (quoted fields, or something wrong) is read line by line with the csv
    module, which names the line at fault.
    """
    try:
        columns = read_analytics_columns(path.read_bytes(), REQUIRED_COLUMNS)
    except OSError as error:
        raise CommandError(f"{path}: cannot read it as a CSV file ({error})", returncode=2) from None
    if columns is not None:
        return ParticipantRows(
            columns.group_ids, columns.numerator, columns.denominator, columns.line_numbers
        )
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise CommandError(f"{path}: the file is empty", returncode=2)
            columns = read_columns(reader, header, path)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise CommandError(f"{path}: cannot read it as a CSV file ({error})", returncode=2) from None
    group_ids, levels, numerators, denominators, lines = columns
    if not lines:
        raise CommandError(f"{path}: no participant rows under the header", returncode=2)
    line_numbers = np.array(lines)
    check_group_columns(group_ids, levels, line_numbers)
    return ParticipantRows(
        group_ids=np.asarray(group_ids),
        numerator=parse_numbers(numerators, "Numerator", line_numbers),
        denominator=parse_numbers(denominators, "Denominator", line_numbers),
        line_numbers=line_numbers,
    )


def read_columns(reader, header: list[str], path: Path) -> tuple[list, list, list, list, list]:
    """The required columns' texts and each row's line number, row by row.

    Appending to one list per column keeps a million rows under a second: collecting the rows first
    and transposing them is three times slower, mostly in the garbage collector.
    """
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise CommandError(
            f"{path}: missing column {', '.join(missing)} (needs {', '.join(REQUIRED_COLUMNS)})",
            returncode=2,
        )
    group, level, numerator, denominator = (header.index(column) for column in REQUIRED_COLUMNS)
    width = len(header)
    group_ids, levels, numerators, denominators, lines = [], [], [], [], []
    for record in reader:
        if len(record) != width:
            if not record:
                continue  # a blank line is no row
            raise CommandError(
                f"line {reader.line_num}: {len(record)} fields where the header has {width}", returncode=2
            )
        group_ids.append(record[group])
        levels.append(record[level])
        numerators.append(record[numerator])
        denominators.append(record[denominator])
        lines.append(reader.line_num)
    return group_ids, levels, numerators, denominators, lines


def check_group_columns(group_ids: list, levels: list, line_numbers: np.ndarray) -> None:
    """Every row names a group, and all rows are groups of one level (site, or country, …)."""
    if "" in group_ids:
        raise CommandError(f"line {line_numbers[group_ids.index('')]}: GroupID is empty", returncode=2)
    distinct = set(levels)
    if len(distinct) > 1:
        raise CommandError(
            f"GroupLevel: the file mixes {', '.join(sorted(map(repr, distinct)))}; score one level at a time",
            returncode=2,
        )


def parse_numbers(texts: list, field: str, line_numbers: np.ndarray) -> np.ndarray:
    """Floats from the column's text; the first one that is not a number is refused with its line."""
    try:
        return np.array(texts, dtype=np.float64)
    except ValueError:
        pass
    for position, text in enumerate(texts):
        try:
            float(text)
        except ValueError:
            raise CommandError(
                f"line {line_numbers[position]}: {field} {text!r} is not a number", returncode=2
            ) from None
    raise AssertionError("numpy refused a column that float() accepts")  # pragma: no cover


def output_rows(scores: kri.KriScores):
    """Groups in gsm's summary order (most severe flags first), one dict per group."""
    for i in scores.summary_order():
        yield {
            "GroupID": str(scores.group_ids[i]),
            "Numerator": plain_number(scores.numerator[i]),
            "Denominator": plain_number(scores.denominator[i]),
            "Metric": float(scores.metric[i]),
            "Score": None if np.isnan(scores.score[i]) else float(scores.score[i]),
            "Flag": None if np.isnan(scores.flag[i]) else int(scores.flag[i]),
        }


def plain_number(value: float) -> int | float:
    """Counts print as integers (gsm's are); fractional exposure keeps its fraction."""
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else float(value)


def write_csv(scores: kri.KriScores) -> str:
    """Empty for a missing score or flag (gsm's NA); numbers in full precision (``repr`` round-trips);
    the group ids, which come from the input file, through the shared writer's formula guard."""
    return tabular.write_csv(tabular.columns_named(*OUTPUT_COLUMNS), output_rows(scores), line_end="\n")


def write_json(scores: kri.KriScores) -> str:
    document = {
        "method": scores.method,
        "type": scores.metric_type,
        "thresholds": list(scores.thresholds),
        "flags": list(scores.flags),
        "min_denominator": scores.min_denominator,
        "overall_metric": scores.overall_metric,
        "dispersion": scores.dispersion,
        "excluded_groups": [str(g) for g in scores.excluded_group_ids],
        "groups": list(output_rows(scores)),
    }
    return json.dumps(document, indent=2, allow_nan=False) + "\n"
