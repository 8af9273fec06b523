"""`stats randomization-list` and `stats minimize`: their options, reading them, printing the result."""

import json
from contextlib import contextmanager
from typing import Annotated

import numpy as np
from django.core.management.base import CommandError
from pydantic import PlainValidator, RootModel, ValidationInfo, model_validator

from trialdesk.analytics.randomization import (
    RandomizationInputError,
    minimization_scores,
    parse_arms,
    parse_block_sizes,
    parse_factors,
    parse_levels,
    parse_ratio,
    parse_weights,
    permuted_block_list,
)
from trialdesk.analytics.randomization.design import is_whole_number
from trialdesk.interop import json_documents, tabular

LIST_COLUMNS = ("stratum", "sequence", "block", "block_size", "arm")


def randomization_list(options: dict) -> str:
    """The list as CSV or JSON text; a bad option raises a one-line CommandError naming it."""
    if options["seed"] < 0:
        raise bad_option("seed", f"must be 0 or more, not {options['seed']}.")
    with refusals():
        arms = parse_arms(options["arms"])
        ratio = parse_ratio(options["ratio"], len(arms)) if options["ratio"] else None
        allocations = permuted_block_list(
            arms=arms,
            ratio=ratio,
            block_sizes=parse_block_sizes(options["block_sizes"], ratio or (1,) * len(arms)),
            strata=parse_factors(options["strata"], field="strata"),
            per_stratum=options["per_stratum"],
            rng=np.random.default_rng(options["seed"]),
        )
    rows = [allocation.as_dict() for allocation in allocations]
    if options["output_format"] == "json":
        # One slot a line: a list of hundreds reads better, and diffs better, than one key a line.
        return "[\n" + ",\n".join(json.dumps(row) for row in rows) + "\n]"
    # Arm names and stratum levels come from the options: text cells go through the formula guard.
    return tabular.write_csv(tabular.columns_named(*LIST_COLUMNS), rows, line_end="\n").rstrip("\n")


def minimize(options: dict) -> str:
    """Each arm's imbalance score and the preferred arm, as JSON or a few lines."""
    with refusals():
        arms = parse_arms(options["arms"])
        factors = parse_factors(options["factors"])
    counts = read_counts(options["counts"], arms=arms, factors=factors)
    with refusals():
        result = minimization_scores(
            arms=arms,
            factors=factors,
            counts=counts,
            participant=parse_levels(options["participant"], factors),
            measure=options["measure"],
            weights=parse_weights(options["weights"], len(factors)) if options["weights"] else None,
            ratio=parse_ratio(options["ratio"], len(arms)) if options["ratio"] else None,
        )
    if options["as_json"]:
        return json.dumps(result.as_dict())
    lines = [f"{arm}: {score:g}" for arm, score in result.scores.items()]
    lines.append(f"Preferred: {result.preferred or 'none (a tie: ' + ', '.join(result.lowest) + ')'}")
    return "\n".join(lines)


def _count(value: object) -> float:
    if not is_whole_number(value) or value < 0:
        raise ValueError("give a whole number of at least 0")
    return float(value)


class CountsDocument(RootModel[dict[str, dict[str, Annotated[float, PlainValidator(_count)]]]]):
    """The `--counts` file: participants so far per arm at each factor=level, e.g.
    {"A": {"sex=F": 4, "age=>=50": 2}, "B": {"sex=F": 3}}; what is left out counts 0."""

    @model_validator(mode="after")
    def _known(self, info: ValidationInfo) -> "CountsDocument":
        arms, labels = info.context["arms"], info.context["labels"]
        problems = {}
        for arm, by_level in self.root.items():
            if arm not in arms:
                problems[(arm,)] = f"unknown arm (arms: {', '.join(arms)})"
            for label in by_level:
                if label not in labels:
                    problems[(arm, label)] = f"unknown factor level (levels: {', '.join(labels)})"
        if problems:
            raise json_documents.problems_at(problems)
        return self


def read_counts(path: str, *, arms: tuple[str, ...], factors) -> dict:
    """The counts file as {arm: {factor=level: count}}; every bad entry is a line naming `--counts` and
    its JSON path, e.g. `--counts: $.A['sex=X']: unknown factor level (...)`."""
    try:
        raw = json_documents.read_json(path)
    except json_documents.DocumentError as error:
        raise bad_option("counts", error.problems[0].message) from None
    labels = tuple(label for factor in factors for label in factor.labels())
    try:
        found = json_documents.validate(CountsDocument, raw, context={"arms": arms, "labels": labels})
    except json_documents.DocumentError as error:
        raise CommandError("\n".join(f"--counts: {line}" for line in error.lines()), returncode=2) from None
    return found.root


def bad_option(field: str, problem: str) -> CommandError:
    return CommandError(f"--{field.replace('_', '-')}: {problem}", returncode=2)


@contextmanager
def refusals():
    """Turn a RandomizationInputError into the one-line CommandError naming the option at fault."""
    try:
        yield
    except RandomizationInputError as error:
        raise bad_option(error.field, error.problem) from None
