"""How far arms drift apart at factor levels: minimization against simple randomization, by simulation."""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from trialdesk.analytics.randomization.design import RandomizationInputError
from trialdesk.analytics.randomization.minimization import (
    MEASURES,
    choose_arm,
    imbalance_scores,
    scores_by_arm,
)

METHODS = ("simple", "minimization")


@dataclass(frozen=True)
class ImbalanceSimulation:
    """Maximum marginal imbalance at the end of each simulated trial.

    ``max_imbalance[r]`` is, for run r, the largest difference between the most and the least
    filled arm at any level of any factor once every participant is assigned.
    """

    method: str
    participants: int
    levels: tuple[int, ...]
    max_imbalance: np.ndarray

    @property
    def mean(self) -> float:
        return float(self.max_imbalance.mean())


def simulate_marginal_imbalance(
    *,
    method: str,
    levels: Sequence[int],
    participants: int,
    runs: int,
    rng: np.random.Generator,
    arms: int = 2,
    p_preferred: float = 0.8,
    measure: str = "range",
) -> ImbalanceSimulation:
    """Simulate trials whose participants have uniformly random levels and record the worst imbalance.

    ``method`` is ``"simple"`` (each participant to an arm with equal probability) or
    ``"minimization"`` (Pocock–Simon with equal weights and ratio, ``measure``, and the preferred arm
    with probability ``p_preferred``). ``levels`` gives each factor's number of levels.

    Examples
    --------
    >>> rng = np.random.default_rng(5)
    >>> simple = simulate_marginal_imbalance(method="simple", levels=[2, 3, 4], participants=300, runs=20,
    ...                                      rng=rng)
    >>> minimized = simulate_marginal_imbalance(method="minimization", levels=[2, 3, 4], participants=300,
    ...                                         runs=20, rng=rng)
    >>> minimized.mean < simple.mean / 3
    True
    """
    levels = tuple(int(count) for count in levels)
    if method not in METHODS:
        raise RandomizationInputError("method", f"must be one of {', '.join(METHODS)}, not {method!r}.")
    if measure not in MEASURES:
        raise RandomizationInputError("measure", f"must be one of {', '.join(MEASURES)}, not {measure!r}.")
    if not levels or min(levels) < 1 or participants < 1 or runs < 1 or arms < 2:
        raise RandomizationInputError("levels", "need factors with levels, participants, runs and two arms.")
    worst = np.empty(runs)
    for run in range(runs):
        profiles = np.column_stack([rng.integers(count, size=participants) for count in levels])
        if method == "simple":
            assigned = rng.integers(arms, size=participants)
        else:
            assigned = _minimized(profiles, levels, arms, rng, p_preferred, measure)
        worst[run] = _max_marginal_imbalance(profiles, assigned, levels, arms)
    return ImbalanceSimulation(method, participants, levels, worst)


def _minimized(profiles, levels, arms, rng, p_preferred, measure) -> np.ndarray:
    names = [str(arm) for arm in range(arms)]
    counts = np.zeros((len(levels), max(levels), arms))
    factor_index = np.arange(len(levels))
    assigned = np.empty(len(profiles), dtype=int)
    for i, profile in enumerate(profiles):
        scores = imbalance_scores(counts[factor_index, profile, :], measure=measure)
        arm = int(choose_arm(scores_by_arm(names, scores), rng=rng, p_preferred=p_preferred))
        counts[factor_index, profile, arm] += 1
        assigned[i] = arm
    return assigned


def _max_marginal_imbalance(profiles, assigned, levels, arms) -> float:
    worst = 0.0
    for factor, count in enumerate(levels):
        table = np.zeros((count, arms))
        np.add.at(table, (profiles[:, factor], assigned), 1)
        worst = max(worst, float((table.max(axis=1) - table.min(axis=1)).max()))
    return worst
