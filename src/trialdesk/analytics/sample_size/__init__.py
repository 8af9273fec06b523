"""Sample size and power for means, proportions and survival, under the design names the command uses.

Each design is a function of keyword arguments returning a frozen :class:`SampleSizeResult`;
``DESIGNS`` lists them with their options so that the command line and the calculator page
offer the same names. ``calculate("two-means", delta=1, sd=1, power=0.9)`` dispatches by name.
"""

from collections.abc import Callable
from dataclasses import dataclass

from trialdesk.analytics.sample_size.common import Plan, SampleSizeInputError, SampleSizeResult
from trialdesk.analytics.sample_size.means import (
    equivalence_means,
    non_inferiority_means,
    one_mean,
    paired_means,
    superiority_means,
    two_means,
)
from trialdesk.analytics.sample_size.proportions import (
    cohen_h,
    equivalence_proportions,
    farrington_manning_rates,
    mcnemar,
    non_inferiority_proportions,
    one_proportion,
    superiority_proportions,
    two_proportions,
)
from trialdesk.analytics.sample_size.survival import event_probability, logrank_events, survival

__all__ = [
    "COMMON_OPTIONS",
    "DESIGNS",
    "Design",
    "Option",
    "Plan",
    "SampleSizeInputError",
    "SampleSizeResult",
    "calculate",
    "cohen_h",
    "equivalence_means",
    "equivalence_proportions",
    "event_probability",
    "farrington_manning_rates",
    "logrank_events",
    "mcnemar",
    "non_inferiority_means",
    "non_inferiority_proportions",
    "one_mean",
    "one_proportion",
    "paired_means",
    "superiority_means",
    "superiority_proportions",
    "survival",
    "two_means",
    "two_proportions",
]


@dataclass(frozen=True)
class Option:
    """One input of a design: its keyword (``p_discordant``; the command spells it ``--p-discordant``)."""

    name: str
    label: str
    help: str = ""
    kind: str = "number"  # "number", "choice" or "flag"
    choices: tuple[str, ...] = ()
    default: object = None

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


@dataclass(frozen=True)
class Design:
    """A design as the command and the calculator offer it."""

    name: str
    label: str
    calculate: Callable[..., SampleSizeResult]
    options: tuple[Option, ...]
    two_groups: bool = True


def _number(name, label, help_text="", default=None) -> Option:
    return Option(name=name, label=label, help=help_text, default=default)


COMMON_OPTIONS = (
    _number("alpha", "Significance level (alpha)", "Two-sided when sided is 2.", 0.05),
    Option("sided", "Sides of the test", "2: alpha is two-sided; 1: one-sided.", "choice", ("2", "1"), "2"),
    _number("power", "Power", "Give power to solve for n ..."),
    _number(
        "n", "n (group 1)", "... or n to solve for power (pairs for paired designs, events for logrank)."
    ),
    _number("ratio", "Allocation ratio n2/n1", "", 1.0),
    _number("dropout", "Dropout fraction", "n is inflated by 1/(1 - dropout) before rounding up.", 0.0),
    _number(
        "icc", "Intra-cluster correlation", "With cluster size m, n is inflated by 1 + (m - 1) ICC.", 0.0
    ),
    _number("cluster_size", "Cluster size", "", 1.0),
    Option(
        "strict",
        "Count both tails",
        "Add the far rejection tail of a two-sided test (R strict = TRUE, pwr).",
        "flag",
    ),
)

_DELTA = _number("delta", "Difference in means (delta)")
_SD = _number("sd", "Standard deviation")
_D = _number("effect_size", "Effect size", "Cohen's d (means) or h (proportions) instead of the raw inputs.")
_TEST = Option("test", "Test", "Noncentral t (as R power.t.test) or normal.", "choice", ("t", "z"), "t")
_MARGIN_MEANS = (
    _number("margin", "Margin", "A positive distance on the mean difference."),
    _number("true_diff", "True difference (test - control)"),
    _number("sd", "Standard deviation"),
)
_P_METHOD = Option(
    "method",
    "Method",
    "pooled as R power.prop.test; arcsine as pwr.",
    "choice",
    ("pooled", "unpooled", "arcsine"),
    "pooled",
)
_MARGIN_PROPORTIONS = (
    _number("p1", "Proportion, group 1 (test)"),
    _number("p2", "Proportion, group 2 (control)"),
    _number("margin", "Margin", "A positive distance on p1 - p2."),
)

DESIGNS: dict[str, Design] = {
    design.name: design
    for design in (
        Design("two-means", "Two means", two_means, (_DELTA, _SD, _D, _TEST)),
        Design(
            "paired-means",
            "Paired means",
            paired_means,
            (_DELTA, _number("sd", "SD of the differences"), _D, _TEST),
            False,
        ),
        Design("one-mean", "One mean", one_mean, (_DELTA, _SD, _D, _TEST), False),
        Design(
            "two-proportions",
            "Two proportions",
            two_proportions,
            (
                _number("p1", "Proportion, group 1"),
                _number("p2", "Proportion, group 2"),
                _P_METHOD,
                Option(
                    "continuity_correction", "Continuity correction", "Fleiss, Tytun & Ury (1980).", "flag"
                ),
                _D,
            ),
        ),
        Design(
            "one-proportion",
            "One proportion",
            one_proportion,
            (_number("p0", "Null proportion (p0)"), _number("p1", "True proportion (p1)"), _P_METHOD, _D),
            False,
        ),
        Design(
            "mcnemar",
            "Paired proportions (McNemar)",
            mcnemar,
            (
                _number("p_discordant", "Discordant proportion p10 + p01"),
                _number("odds_ratio", "Odds ratio p10 / p01"),
            ),
            False,
        ),
        Design("non-inferiority-means", "Non-inferiority, means", non_inferiority_means, _MARGIN_MEANS),
        Design("superiority-means", "Superiority by a margin, means", superiority_means, _MARGIN_MEANS),
        Design("equivalence-means", "Equivalence, means", equivalence_means, _MARGIN_MEANS),
        Design(
            "non-inferiority-proportions",
            "Non-inferiority, proportions",
            non_inferiority_proportions,
            _MARGIN_PROPORTIONS,
        ),
        Design(
            "superiority-proportions",
            "Superiority by a margin, proportions",
            superiority_proportions,
            _MARGIN_PROPORTIONS,
        ),
        Design(
            "equivalence-proportions",
            "Equivalence, proportions",
            equivalence_proportions,
            _MARGIN_PROPORTIONS,
        ),
        Design(
            "logrank-events",
            "Events for the logrank test",
            logrank_events,
            (
                _number("hr", "Hazard ratio (group 2 / group 1)"),
                Option("method", "Method", "", "choice", ("schoenfeld", "freedman"), "schoenfeld"),
            ),
        ),
        Design(
            "survival",
            "Survival (Lachin–Foulkes)",
            survival,
            (
                _number("lambda1", "Hazard rate, group 1 (control)"),
                _number("lambda2", "Hazard rate, group 2 (experimental)"),
                _number("study_time", "Study duration"),
                _number("accrual_time", "Accrual duration"),
                _number("dropout_rate", "Dropout hazard rate", "", 0.0),
                Option("accrual", "Accrual", "", "choice", ("uniform", "exponential"), "uniform"),
                _number("gamma", "Accrual shape (gamma)", "Exponential accrual only; > 0 recruits early."),
            ),
        ),
    )
}


def calculate(design: str, **values) -> SampleSizeResult:
    """Solve the named design; options left as None take their defaults.

    Raises
    ------
    SampleSizeInputError
        For an unknown design, an option the design does not take, or an input it cannot use;
        its ``field`` names the option.

    Examples
    --------
    >>> calculate("two-means", delta=1, sd=1, power=0.9, alpha=None).n_per_group  # R: n = 22.02110
    (23, 23)
    """
    if design not in DESIGNS:
        raise SampleSizeInputError(
            "design", f"Unknown design {design!r}; choose one of {', '.join(DESIGNS)}."
        )
    spec = DESIGNS[design]
    accepted = {option.name for option in (*spec.options, *COMMON_OPTIONS)}
    given = {name: value for name, value in values.items() if value is not None and value is not False}
    for name in given:
        if name not in accepted:
            raise SampleSizeInputError(name, f"{name} does not apply to {design}.")
    if "sided" in given:
        if str(given["sided"]) not in ("1", "2"):
            raise SampleSizeInputError("sided", "sided must be 1 or 2.")
        given["sided"] = int(given["sided"])
    return spec.calculate(**given)
