"""Arms, allocation ratios, block sizes and factors: checking them, and reading the command syntax.

The syntax is the one the ``trialdesk stats`` commands take: arms ``A,B``; a ratio ``2:1``; block
sizes ``3,6``; factors ``sex=M,F;age=<65,>=65`` (``;`` between factors, ``,`` between levels, the
first ``=`` ends the factor's name so that a level may start with ``>=``); a participant's levels
``sex=F;age=>=65``. Every refusal is a :class:`RandomizationInputError` naming the field at fault.
"""

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import product

#: The label of the one stratum of an unstratified list.
UNSTRATIFIED = "all"


class RandomizationInputError(ValueError):
    """An input a randomization cannot use; ``field`` names the parameter (``block_sizes``).

    ``str(error)`` is ``"<field>: <problem>"``; a command shows ``problem`` after its own option name.
    """

    def __init__(self, field: str, problem: str):
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


@dataclass(frozen=True)
class Factor:
    """A stratification or minimization factor and its levels, in the order given.

    Examples
    --------
    >>> Factor("sex", ("M", "F")).labels()
    ('sex=M', 'sex=F')
    """

    name: str
    levels: tuple[str, ...]

    def __post_init__(self):
        if not self.name or any(mark in self.name for mark in "=;,"):
            raise RandomizationInputError("factors", f"factor name {self.name!r} is empty or has = ; or ,.")
        if not self.levels or any(not level or any(m in level for m in ";,") for level in self.levels):
            raise RandomizationInputError("factors", f"factor {self.name} needs levels without ; or ,.")
        if len(set(self.levels)) != len(self.levels):
            raise RandomizationInputError("factors", f"factor {self.name} lists a level twice.")

    def labels(self) -> tuple[str, ...]:
        """``name=level`` for each level, the keys of a counts table."""
        return tuple(f"{self.name}={level}" for level in self.levels)


def check_arms(arms: Sequence[str], *, field: str = "arms") -> tuple[str, ...]:
    """The arms as a tuple: at least two, distinct, each a non-empty name without a comma."""
    arms = tuple(arms)
    if len(arms) < 2:
        raise RandomizationInputError(field, f"give at least two arms, not {len(arms)}.")
    if any(not arm or "," in arm for arm in arms):
        raise RandomizationInputError(field, "an arm name is empty or has a comma.")
    if len(set(arms)) != len(arms):
        raise RandomizationInputError(field, "an arm is listed twice.")
    return arms


def check_ratio(ratio: Sequence[int] | None, arms: int, *, field: str = "ratio") -> tuple[int, ...]:
    """The allocation ratio as whole numbers ≥ 1, one per arm; ``None`` is equal allocation."""
    if ratio is None:
        return (1,) * arms
    ratio = tuple(ratio)
    if len(ratio) != arms:
        raise RandomizationInputError(field, f"has {len(ratio)} parts for {arms} arms.")
    if not all(is_whole_number(part) and part >= 1 for part in ratio):
        raise RandomizationInputError(field, "each part must be a whole number of at least 1.")
    return tuple(int(part) for part in ratio)


def check_block_sizes(block_sizes: Sequence[int], ratio: Sequence[int]) -> tuple[int, ...]:
    """Block sizes, each a positive multiple of the ratio's sum (a 2:1 ratio takes 3, 6, 9 …)."""
    sizes = tuple(block_sizes)
    total = sum(ratio)
    if not sizes:
        raise RandomizationInputError("block_sizes", "give at least one block size.")
    for size in sizes:
        if not is_whole_number(size) or size < 1 or size % total:
            ratio_text = ":".join(map(str, ratio))
            raise RandomizationInputError(
                "block_sizes", f"{size} is not a multiple of {total}, the sum of the ratio {ratio_text}."
            )
    if len(set(sizes)) != len(sizes):
        raise RandomizationInputError("block_sizes", "a block size is listed twice.")
    return tuple(int(size) for size in sizes)


def is_whole_number(value) -> bool:
    """A finite real number with no fractional part (``3`` or ``3.0``, not ``True`` or ``"3"``)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and float(value).is_integer()


def check_factors(factors: Sequence[Factor], *, field: str = "factors") -> tuple[Factor, ...]:
    """The factors as a tuple, each name once."""
    factors = tuple(factors)
    names = [factor.name for factor in factors]
    if len(set(names)) != len(names):
        raise RandomizationInputError(field, "a factor is listed twice.")
    return factors


def stratum_label(factors: Sequence[Factor], levels: Mapping[str, str]) -> str:
    """The stratum of a participant with these levels: ``sex=M;age=<65`` (``all`` when unstratified).

    Examples
    --------
    >>> stratum_label([Factor("sex", ("M", "F")), Factor("age", ("<65", ">=65"))], {"sex": "F", "age": "<65"})
    'sex=F;age=<65'
    """
    check_levels(levels, factors, field="levels")
    return ";".join(f"{factor.name}={levels[factor.name]}" for factor in factors) or UNSTRATIFIED


def stratum_labels(factors: Sequence[Factor]) -> list[str]:
    """Every stratum, the cross product of the factors' levels, the last factor varying fastest."""
    return [
        ";".join(f"{factor.name}={level}" for factor, level in zip(factors, combination, strict=True))
        or UNSTRATIFIED
        for combination in product(*(factor.levels for factor in factors))
    ]


def check_levels(levels: Mapping[str, str], factors: Sequence[Factor], *, field: str) -> dict[str, str]:
    """A participant's level of every factor, each a level the factor has."""
    known = {factor.name: factor for factor in factors}
    for name, level in levels.items():
        if name not in known:
            raise RandomizationInputError(field, f"unknown factor {name!r} (factors: {', '.join(known)}).")
        if level not in known[name].levels:
            choices = ", ".join(known[name].levels)
            raise RandomizationInputError(
                field, f"unknown level {level!r} for factor {name} (levels: {choices})."
            )
    missing = [name for name in known if name not in levels]
    if missing:
        raise RandomizationInputError(field, f"no level given for {', '.join(missing)}.")
    return {name: levels[name] for name in known}


# --- the command syntax ---------------------------------------------------------------------------


def _items(text: str, separator: str, field: str) -> list[str]:
    items = [item.strip() for item in text.split(separator)]
    if any(not item for item in items):
        raise RandomizationInputError(field, f"{text!r} has an empty item.")
    return items


def parse_arms(text: str) -> tuple[str, ...]:
    """``"A,B"`` → ``("A", "B")``."""
    return check_arms(_items(text, ",", "arms"))


def parse_ratio(text: str, arms: int) -> tuple[int, ...]:
    """``"2:1"`` → ``(2, 1)``; a ratio that does not parse names ``ratio``.

    Examples
    --------
    >>> parse_ratio("2:1", 2)
    (2, 1)
    >>> parse_ratio("2/1", 2)
    Traceback (most recent call last):
    ...
    trialdesk...RandomizationInputError: ratio: '2/1' is not whole numbers separated by colons (e.g. 2:1).
    """
    parts = text.split(":")
    if not all(part.strip().isdecimal() for part in parts):
        raise RandomizationInputError(
            "ratio", f"{text!r} is not whole numbers separated by colons (e.g. 2:1)."
        )
    return check_ratio([int(part) for part in parts], arms)


def parse_block_sizes(text: str, ratio: Sequence[int]) -> tuple[int, ...]:
    """``"4,6"`` → ``(4, 6)``, each a multiple of the ratio's sum."""
    items = _items(text, ",", "block_sizes")
    if not all(item.isdecimal() for item in items):
        raise RandomizationInputError("block_sizes", f"{text!r} is not whole numbers separated by commas.")
    return check_block_sizes([int(item) for item in items], ratio)


def parse_factors(text: str, *, field: str = "factors") -> tuple[Factor, ...]:
    """``"sex=M,F;age=<65,>=65"`` → two factors; an empty text is no factor.

    Examples
    --------
    >>> [factor.levels for factor in parse_factors("sex=M,F;age=<65,>=65")]
    [('M', 'F'), ('<65', '>=65')]
    """
    if not text.strip():
        return ()
    factors = []
    for item in _items(text, ";", field):
        name, equals, levels = item.partition("=")
        if not equals:
            raise RandomizationInputError(field, f"{item!r} is not name=level,level.")
        try:
            factors.append(Factor(name.strip(), tuple(_items(levels, ",", field))))
        except RandomizationInputError as error:
            raise RandomizationInputError(field, error.problem) from None
    return check_factors(factors, field=field)


def parse_levels(text: str, factors: Sequence[Factor], *, field: str = "participant") -> dict[str, str]:
    """``"sex=F;age=>=50"`` → ``{"sex": "F", "age": ">=50"}``, each a known level of a known factor."""
    levels = {}
    for item in _items(text, ";", field):
        name, equals, level = item.partition("=")
        if not equals:
            raise RandomizationInputError(field, f"{item!r} is not factor=level.")
        if name.strip() in levels:
            raise RandomizationInputError(field, f"factor {name.strip()} is given twice.")
        levels[name.strip()] = level.strip()
    return check_levels(levels, factors, field=field)


def parse_weights(text: str, factors: int) -> tuple[float, ...]:
    """``"1,0.5"`` → ``(1.0, 0.5)``: one finite weight ≥ 0 per factor."""
    try:
        weights = tuple(float(item) for item in _items(text, ",", "weights"))
    except ValueError:
        raise RandomizationInputError("weights", f"{text!r} is not numbers separated by commas.") from None
    return check_weights(weights, factors)


def check_weights(weights: Sequence[float] | None, factors: int) -> tuple[float, ...]:
    """The factors' weights (all 1 when ``None``): one per factor, finite, ≥ 0, not all 0."""
    if weights is None:
        return (1.0,) * factors
    weights = tuple(float(weight) for weight in weights)
    if len(weights) != factors:
        raise RandomizationInputError("weights", f"has {len(weights)} weights for {factors} factors.")
    if not all(math.isfinite(weight) and weight >= 0 for weight in weights) or not any(weights):
        raise RandomizationInputError("weights", "weights must be finite, at least 0 and not all 0.")
    return weights
