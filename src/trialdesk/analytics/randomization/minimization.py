"""Pocock–Simon minimization: imbalance scores for a new participant and the biased-coin allocation."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from trialdesk.analytics.randomization.design import (
    Factor,
    RandomizationInputError,
    check_arms,
    check_factors,
    check_levels,
    check_ratio,
    check_weights,
    is_whole_number,
)

MEASURES = ("range", "variance")
# Scores this close are a tie: dividing by a ratio of 3 makes 1/3 + 1/3 differ from 2/3 in the last bit.
_TIE = 1e-9


@dataclass(frozen=True)
class MinimizationScores:
    """Each arm's total imbalance if the new participant were assigned to it, and the arm to prefer.

    ``preferred`` is the arm with the lowest score, or ``None`` when several share it; ``lowest``
    lists the arms with the lowest score (one arm unless there is a tie).
    """

    scores: dict[str, float]
    preferred: str | None
    lowest: tuple[str, ...]

    def as_dict(self) -> dict:
        """``{"scores": {"A": 3.0, "B": 5.0}, "preferred": "A"}``, as the command prints it."""
        return {"scores": dict(self.scores), "preferred": self.preferred}


def imbalance_scores(
    level_counts: ArrayLike,
    *,
    weights: ArrayLike | None = None,
    ratio: ArrayLike | None = None,
    measure: str = "range",
) -> np.ndarray:
    """Total weighted imbalance for each candidate arm, from counts at the participant's levels.

    Pocock & Simon (Biometrics 1975;31:103): for candidate arm k, add the participant to arm k's
    count at the participant's level of each factor, divide every arm's count by its share of the
    allocation ratio, measure the spread across arms (range, or the sample variance with an n − 1
    divisor as R's ``var``), and sum over factors with the factors' weights.

    Parameters
    ----------
    level_counts : array_like, shape (factors, arms)
        Participants already in each arm at the new participant's level of each factor.
    weights : array_like, shape (factors,), optional
        Factor weights (default 1 each).
    ratio : array_like, shape (arms,), optional
        Allocation ratio (default equal).
    measure : {"range", "variance"}

    Returns
    -------
    numpy.ndarray, shape (arms,)
        The score if the participant were assigned to each arm.

    Examples
    --------
    Lim & In (Korean J Anesthesiol 2019;72:221, Table 4): site 3 v 5, sex 3 v 3, age 3 v 3.

    >>> imbalance_scores([[3, 5], [3, 3], [3, 3]])
    array([3., 5.])
    """
    counts = np.asarray(level_counts, dtype=float)
    factors, arms = counts.shape
    weights = np.ones(factors) if weights is None else np.asarray(weights, dtype=float)
    ratio = np.ones(arms) if ratio is None else np.asarray(ratio, dtype=float)
    # hypothetical[k, f, a]: the count of arm a at factor f's level once the participant joins arm k.
    hypothetical = (counts[np.newaxis, :, :] + np.eye(arms)[:, np.newaxis, :]) / ratio
    if measure == "range":
        spread = hypothetical.max(axis=2) - hypothetical.min(axis=2)
    elif measure == "variance":
        spread = hypothetical.var(axis=2, ddof=1)
    else:
        raise RandomizationInputError("measure", f"must be one of {', '.join(MEASURES)}, not {measure!r}.")
    return spread @ weights


def minimization_scores(
    *,
    arms: Sequence[str],
    factors: Sequence[Factor],
    counts: Mapping[str, Mapping[str, float]],
    participant: Mapping[str, str],
    measure: str = "range",
    weights: Sequence[float] | None = None,
    ratio: Sequence[int] | None = None,
) -> MinimizationScores:
    """Pocock–Simon imbalance scores of a new participant for each arm, and the preferred arm.

    Parameters
    ----------
    arms : sequence of str
    factors : sequence of Factor
        The minimization factors and their levels (the site may be one).
    counts : mapping
        Participants already in each arm at each factor level: ``{"A": {"sex=M": 10, ...}, ...}``;
        a level or arm left out counts 0.
    participant : mapping
        The new participant's level of every factor: ``{"sex": "F", "age": ">=50"}``.
    measure : {"range", "variance"}
    weights : sequence of float, optional
        One weight per factor (default 1 each).
    ratio : sequence of int, optional
        Allocation ratio; counts are divided by it before measuring (default equal).

    Returns
    -------
    MinimizationScores

    Examples
    --------
    >>> sex, age = Factor("sex", ("M", "F")), Factor("age", ("<50", ">=50"))
    >>> counts = {"A": {"sex=F": 4, "age=>=50": 2}, "B": {"sex=F": 3, "age=>=50": 4}}
    >>> result = minimization_scores(arms=["A", "B"], factors=[sex, age], counts=counts,
    ...                              participant={"sex": "F", "age": ">=50"})
    >>> result.as_dict()
    {'scores': {'A': 3.0, 'B': 3.0}, 'preferred': None}
    """
    arms = check_arms(arms)
    factors = check_factors(factors)
    ratio = check_ratio(ratio, len(arms))
    weights = check_weights(weights, len(factors))
    if not factors:
        raise RandomizationInputError("factors", "give at least one factor.")
    levels = check_levels(participant, factors, field="participant")
    table = _count_table(counts, arms, factors)
    level_counts = [[table[arm][f"{f.name}={levels[f.name]}"] for arm in arms] for f in factors]
    return scores_by_arm(arms, imbalance_scores(level_counts, weights=weights, ratio=ratio, measure=measure))


def scores_by_arm(arms: Sequence[str], scores: np.ndarray) -> MinimizationScores:
    """Name the scores :func:`imbalance_scores` returns by arm and find the lowest."""
    lowest = tuple(arm for arm, score in zip(arms, scores, strict=True) if score <= scores.min() + _TIE)
    return MinimizationScores(
        scores={arm: float(score) for arm, score in zip(arms, scores, strict=True)},
        preferred=lowest[0] if len(lowest) == 1 else None,
        lowest=lowest,
    )


def _count_table(
    counts: Mapping[str, Mapping[str, float]], arms: tuple[str, ...], factors: tuple[Factor, ...]
) -> dict[str, dict[str, float]]:
    """Every arm's count at every ``factor=level``, 0 where not given; unknown arms or levels refused."""
    known = {label for factor in factors for label in factor.labels()}
    table = {arm: dict.fromkeys(known, 0.0) for arm in arms}
    for arm, by_level in counts.items():
        if arm not in table:
            raise RandomizationInputError("counts", f"unknown arm {arm!r} (arms: {', '.join(arms)}).")
        if not isinstance(by_level, Mapping):
            raise RandomizationInputError("counts", f"arm {arm} must map factor=level to a count.")
        for label, count in by_level.items():
            if label not in known:
                raise RandomizationInputError("counts", f"unknown factor level {label!r} for arm {arm}.")
            if not is_whole_number(count) or count < 0:
                raise RandomizationInputError(
                    "counts", f"{arm} {label}: {count!r} is not a whole number of at least 0."
                )
            table[arm][label] = float(count)
    return table


def choose_arm(scores: MinimizationScores, *, rng: np.random.Generator, p_preferred: float) -> str:
    """The arm to assign: the preferred arm with probability ``p_preferred``, else another at random.

    As Pocock & Simon's biased coin: with a preferred arm, it is assigned with probability
    ``p_preferred`` and each other arm with an equal share of the rest (for two arms at 0.8, the
    other arm with 0.2); ``p_preferred=1`` is deterministic minimization. A tie is broken with equal
    probability among the tied arms. One uniform number is drawn from ``rng`` either way.

    Examples
    --------
    >>> scores = MinimizationScores({"A": 3.0, "B": 5.0}, "A", ("A",))
    >>> choose_arm(scores, rng=np.random.default_rng(1), p_preferred=1.0)
    'A'
    """
    arms = tuple(scores.scores)
    if not (1 / len(arms) <= p_preferred <= 1):
        raise RandomizationInputError(
            "p_preferred", f"must be between 1/{len(arms)} (the number of arms) and 1, not {p_preferred}."
        )
    draw = rng.random()
    if scores.preferred is None:
        return scores.lowest[int(draw * len(scores.lowest))]
    if draw < p_preferred:
        return scores.preferred
    others = [arm for arm in arms if arm != scores.preferred]
    # Rescale the draw's unused part [p, 1) to [0, 1) to pick among the other arms without a second draw.
    return others[min(int((draw - p_preferred) / (1 - p_preferred) * len(others)), len(others) - 1)]


def minimize(
    *,
    arms: Sequence[str],
    factors: Sequence[Factor],
    counts: Mapping[str, Mapping[str, float]],
    participant: Mapping[str, str],
    rng: np.random.Generator,
    p_preferred: float = 0.8,
    measure: str = "range",
    weights: Sequence[float] | None = None,
    ratio: Sequence[int] | None = None,
) -> str:
    """Assign a new participant by Pocock–Simon minimization: :func:`minimization_scores` then
    :func:`choose_arm`.

    Examples
    --------
    >>> sex = Factor("sex", ("M", "F"))
    >>> minimize(arms=["A", "B"], factors=[sex], counts={"A": {"sex=F": 5}, "B": {"sex=F": 2}},
    ...          participant={"sex": "F"}, rng=np.random.default_rng(3), p_preferred=1.0)
    'B'
    """
    scores = minimization_scores(
        arms=arms,
        factors=factors,
        counts=counts,
        participant=participant,
        measure=measure,
        weights=weights,
        ratio=ratio,
    )
    return choose_arm(scores, rng=rng, p_preferred=p_preferred)
