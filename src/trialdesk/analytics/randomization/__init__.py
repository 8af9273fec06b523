"""Randomization: stratified permuted-block lists and Pocock–Simon minimization (no Django).

``permuted_block_list`` makes the list a study draws slots from; ``minimization_scores`` and
``minimize`` assign one participant at a time from the counts so far; the ``parse_*`` helpers read
the syntax of the ``trialdesk stats randomization-list`` and ``minimize`` commands, and the
``check_*`` helpers validate the same values from anywhere else (a stored scheme). Randomness always
comes from a ``numpy.random.Generator`` passed in as ``rng``.
"""

from trialdesk.analytics.randomization.blocks import Allocation, permuted_block_list
from trialdesk.analytics.randomization.design import (
    UNSTRATIFIED,
    Factor,
    RandomizationInputError,
    check_arms,
    check_block_sizes,
    check_factors,
    check_levels,
    check_ratio,
    check_weights,
    parse_arms,
    parse_block_sizes,
    parse_factors,
    parse_levels,
    parse_ratio,
    parse_weights,
    stratum_label,
    stratum_labels,
)
from trialdesk.analytics.randomization.minimization import (
    MEASURES,
    MinimizationScores,
    choose_arm,
    imbalance_scores,
    minimization_scores,
    minimize,
)
from trialdesk.analytics.randomization.simulation import ImbalanceSimulation, simulate_marginal_imbalance

__all__ = [
    "MEASURES",
    "UNSTRATIFIED",
    "Allocation",
    "Factor",
    "ImbalanceSimulation",
    "MinimizationScores",
    "RandomizationInputError",
    "check_arms",
    "check_block_sizes",
    "check_factors",
    "check_levels",
    "check_ratio",
    "check_weights",
    "choose_arm",
    "imbalance_scores",
    "minimization_scores",
    "minimize",
    "parse_arms",
    "parse_block_sizes",
    "parse_factors",
    "parse_levels",
    "parse_ratio",
    "parse_weights",
    "permuted_block_list",
    "simulate_marginal_imbalance",
    "stratum_label",
    "stratum_labels",
]
