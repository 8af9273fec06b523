"""Central statistical monitoring: key risk indicator scores and flags per site, compatible with gsm.

Reproduces the analysis layer of Gilead's open-source ``gsm`` package (Gilead-BioStats/gsm 2.2.3,
Apache-2.0): participant rows in its analytics layout (GroupID, Numerator, Denominator) are summed
per group, scored by the normal approximation with over-dispersion, Poisson deviance residuals,
Fisher's exact test or the identity, and flagged by thresholds; funnel-plot bounds are provided for
plotting. Only numpy and scipy: the app and the command line call it with plain arrays.
"""

from trialdesk.analytics.kri.bounds import FunnelBounds, funnel_bounds
from trialdesk.analytics.kri.definitions import GSM_THRESHOLDS, KriDefinition
from trialdesk.analytics.kri.flags import (
    FLAG_ORDER,
    P_VALUE_THRESHOLDS,
    Z_SCORE_THRESHOLDS,
    default_flags,
    flag_scores,
    summary_order,
)
from trialdesk.analytics.kri.groups import GroupCodes, GroupTotals, KriInputError, sum_by_group
from trialdesk.analytics.kri.scoring import METHODS, METRIC_TYPES, KriScores, score_groups

__all__ = [
    "FLAG_ORDER",
    "GSM_THRESHOLDS",
    "METHODS",
    "METRIC_TYPES",
    "P_VALUE_THRESHOLDS",
    "Z_SCORE_THRESHOLDS",
    "FunnelBounds",
    "GroupCodes",
    "GroupTotals",
    "KriDefinition",
    "KriInputError",
    "KriScores",
    "default_flags",
    "flag_scores",
    "funnel_bounds",
    "score_groups",
    "summary_order",
    "sum_by_group",
]
