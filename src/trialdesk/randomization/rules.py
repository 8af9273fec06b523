"""Pure rules of randomization: what makes a scheme usable, a participant's stratum, minimization's counts.

The statistics themselves (block lists, imbalance scores, the biased coin) live in
`trialdesk.analytics.randomization`; these rules turn a scheme's stored settings into its inputs and
its refusals into messages naming the field at fault.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence

from django.utils.translation import gettext

from trialdesk.analytics.randomization import (
    Factor,
    RandomizationInputError,
    check_block_sizes,
    check_levels,
    parse_factors,
    parse_weights,
    stratum_label,
    stratum_labels,
)
from trialdesk.analytics.randomization.design import check_weights

PERMUTED_BLOCKS = "permuted_blocks"
MINIMIZATION = "minimization"
SITE_FACTOR = "site"
# A list longer than this is a typing slip, not a trial.
MAX_PER_STRATUM = 10_000
MAX_SLOTS = 200_000
MAX_SEED = 2**62
BLINDED = "blinded"


def factor_objects(factors: Sequence[Mapping]) -> tuple[Factor, ...]:
    """A scheme's stored factors as the analytics' Factor values."""
    return tuple(Factor(str(f["name"]), tuple(str(level) for level in f["levels"])) for f in factors)


def factors_from_text(text: str, weights_text: str = "") -> list[dict]:
    """``"sex=M,F;age=<65,>=65"`` and ``"1,2"`` → stored factors; a ValueError names the field at fault.

    >>> factors_from_text("sex=M,F", "2")
    [{'name': 'sex', 'levels': ['M', 'F'], 'weight': 2.0}]
    """
    factors = parse_factors(text)
    weights = parse_weights(weights_text, len(factors)) if weights_text.strip() else (1.0,) * len(factors)
    return [
        {"name": f.name, "levels": list(f.levels), "weight": weight}
        for f, weight in zip(factors, weights, strict=True)
    ]


def factors_as_text(factors: Sequence[Mapping]) -> tuple[str, str]:
    """The inverse of `factors_from_text`: the factors and the weights as the form shows them."""
    spec = ";".join(f"{f['name']}={','.join(f['levels'])}" for f in factors)
    weights = ",".join(f"{float(f.get('weight', 1)):g}" for f in factors)
    return spec, weights


def scheme_problems(
    *,
    method: str,
    arms: Sequence[Mapping],
    factors: Sequence[Mapping],
    block_sizes: Sequence[int],
    per_stratum: int | None,
    p_preferred: float,
    site_is_factor: bool,
    site_weight: float = 1.0,
) -> dict[str, str]:
    """Everything that keeps a scheme from being used, as {field: message}; empty when it is usable."""
    problems: dict[str, str] = {}
    if len(arms) < 2:
        problems["arms"] = gettext("Choose at least two arms to randomize between.")
    elif len({arm["code"] for arm in arms}) != len(arms):
        problems["arms"] = gettext("An arm is listed twice.")
    parsed = _factor_problem(factors, site_is_factor)
    if isinstance(parsed, str):
        problems["factors"] = parsed
        parsed = ()
    if method == PERMUTED_BLOCKS:
        problems.update(_block_problems(arms, parsed, block_sizes, per_stratum, site_is_factor))
    elif method == MINIMIZATION:
        weights = [f.get("weight", 1.0) for f in factors] + ([site_weight] if site_is_factor else [])
        problems.update(_minimization_problems(arms, parsed, weights, p_preferred, site_is_factor))
    return problems


def _factor_problem(factors: Sequence[Mapping], site_is_factor: bool) -> tuple[Factor, ...] | str:
    try:
        parsed = factor_objects(factors)
    except (KeyError, TypeError):
        return gettext("Each factor needs a name and its levels.")
    except RandomizationInputError as error:
        return error.problem
    names = [f.name for f in parsed]
    if len(set(names)) != len(names):
        return gettext("A factor is listed twice.")
    if site_is_factor and SITE_FACTOR in names:
        return gettext("The site is already a factor; do not list it among the factors.")
    return parsed


def _block_problems(arms, factors, block_sizes, per_stratum, site_is_factor) -> dict[str, str]:
    problems = {}
    if site_is_factor:
        problems["site_is_factor"] = gettext(
            "The site can be a factor of minimization only; stratify by it instead."
        )
    if not per_stratum:
        problems["per_stratum"] = gettext("Say how many slots each stratum's list holds (at least 1).")
    elif per_stratum > MAX_PER_STRATUM:
        problems["per_stratum"] = gettext("At most %(slots)s slots per stratum.") % {
            "slots": f"{MAX_PER_STRATUM:,}"
        }
    elif len(stratum_labels(factors)) * per_stratum > MAX_SLOTS:
        problems["per_stratum"] = gettext("The whole list may hold at most %(slots)s slots.") % {
            "slots": f"{MAX_SLOTS:,}"
        }
    if len(arms) >= 2:
        try:
            check_block_sizes(block_sizes, [arm["ratio"] for arm in arms])
        except (RandomizationInputError, TypeError, ValueError) as error:
            problems["block_sizes"] = getattr(error, "problem", gettext("Give whole-number block sizes."))
    return problems


def _minimization_problems(arms, factors, weights, p_preferred, site_is_factor) -> dict[str, str]:
    problems = {}
    if not factors and not site_is_factor:
        problems["factors"] = gettext("Minimization needs at least one factor (or the site as a factor).")
    else:
        try:
            check_weights(weights, len(weights))
        except (RandomizationInputError, TypeError, ValueError):
            problems["factors"] = gettext(
                "Factor weights (and the site's) must be numbers of at least 0, not all 0."
            )
    if arms and not (1 / max(len(arms), 1) <= (p_preferred or 0) <= 1):
        problems["p_preferred"] = gettext("Must be between 1/%(arms)s (the number of arms) and 1.") % {
            "arms": len(arms)
        }
    return problems


def participant_levels(factors: Sequence[Mapping], given: Mapping[str, str]) -> dict[str, str]:
    """The participant's level of each of the scheme's factors; a ValueError names the problem.

    >>> participant_levels([{"name": "sex", "levels": ["M", "F"]}], {"sex": "X"})
    Traceback (most recent call last):
    ...
    ValueError: unknown level 'X' for factor sex (levels: M, F).
    """
    try:
        return check_levels(dict(given), factor_objects(factors), field="factor_levels")
    except RandomizationInputError as error:
        raise ValueError(error.problem) from None


def stratum_of(factors: Sequence[Mapping], levels: Mapping[str, str]) -> str:
    """The list's stratum of a participant with these levels, e.g. ``sex=F;age=<65`` (``all`` if none)."""
    return stratum_label(factor_objects(factors), levels)


def minimization_counts(allocations: Iterable[tuple[str, Mapping[str, str]]]) -> dict[str, dict[str, int]]:
    """Participants already in each arm at each ``factor=level``, from (arm, levels) of past allocations.

    >>> minimization_counts([("A", {"sex": "F"}), ("A", {"sex": "F"}), ("B", {"sex": "M"})])
    {'A': {'sex=F': 2}, 'B': {'sex=M': 1}}
    """
    counts: dict[str, dict[str, int]] = {}
    for arm, levels in allocations:
        by_level = counts.setdefault(arm, {})
        for name, level in levels.items():
            label = f"{name}={level}"
            by_level[label] = by_level.get(label, 0) + 1
    return counts


def list_digest(rows: Iterable[Mapping]) -> str:
    """SHA-256 of a randomization list's rows in order, so the audit trail pins the list generated."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps(row, sort_keys=True, separators=(",", ":")).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def masked(values: list) -> list:
    """An audit event's [old, new] pair with every value that was set replaced by "blinded"."""
    return [None if value is None else BLINDED for value in values]


def unblinding_problem(*, participant_number: str, randomized: bool, blinded: bool) -> str | None:
    """Why a participant cannot be unblinded (named on the field `participant`), or None when they can:
    there is an arm to reveal only for a participant who was randomized, in a blinded study."""
    if not randomized:
        return gettext(
            "Participant %(participant_number)s was never randomized: there is no arm to unblind."
        ) % {"participant_number": participant_number}
    if not blinded:
        return gettext("This study is open-label: the arm is shown already.")
    return None
