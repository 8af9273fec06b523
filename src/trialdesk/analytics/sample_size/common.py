"""What every sample-size design shares: the plan, solving for n or power, inflation, rounding, the result."""

import math
from collections.abc import Callable
from dataclasses import dataclass

from scipy import special

# Solved sample sizes are found to this relative precision, far below what any rounding up can see.
_RTOL = 1e-12
# The largest per-group size searched before a power is declared out of reach.
_N_CEILING = 1e9
# A computed size within this distance of a whole number is that number (5/0.5 must give 10, not 11).
_WHOLE = 1e-9


class SampleSizeInputError(ValueError):
    """An input the calculation cannot use; ``field`` names the parameter at fault (``p_discordant``)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Plan:
    """The choices common to every design: error rates, what to solve for, allocation and inflation.

    Exactly one of ``power`` (solve for n) and ``n`` (solve for power) is given. ``n`` is the size
    of group 1 (the number of pairs for paired designs, of events for ``logrank-events``); group 2
    has ``ratio * n``. ``alpha`` is two-sided when ``sided`` is 2. ``dropout`` is the fraction lost
    to follow-up and ``icc`` with ``cluster_size`` gives the design effect 1 + (m - 1) ICC; both
    inflate the solved n before it is rounded up. ``strict`` counts both rejection tails of a
    two-sided test, as R's ``power.t.test(strict = TRUE)`` and the ``pwr`` package do.
    """

    alpha: float = 0.05
    sided: int = 2
    power: float | None = None
    n: float | None = None
    ratio: float = 1.0
    dropout: float = 0.0
    icc: float = 0.0
    cluster_size: float = 1.0
    strict: bool = False

    def __post_init__(self):
        if not 0 < self.alpha < 1:
            raise SampleSizeInputError("alpha", "alpha must be between 0 and 1.")
        if self.sided not in (1, 2):
            raise SampleSizeInputError("sided", "sided must be 1 or 2.")
        if (self.power is None) == (self.n is None):
            raise SampleSizeInputError(
                "power", "Give either power (to solve for n) or n (to solve for power)."
            )
        if self.power is not None and not 0 < self.power < 1:
            raise SampleSizeInputError("power", "power must be between 0 and 1.")
        if self.n is not None and not (self.n > 0 and math.isfinite(self.n)):
            raise SampleSizeInputError("n", "n must be a positive number.")
        if not (self.ratio > 0 and math.isfinite(self.ratio)):
            raise SampleSizeInputError("ratio", "ratio (n2/n1) must be a positive number.")
        if not 0 <= self.dropout < 1:
            raise SampleSizeInputError(
                "dropout", "dropout must be a fraction from 0 up to (not including) 1."
            )
        if not 0 <= self.icc <= 1:
            raise SampleSizeInputError("icc", "icc must be between 0 and 1.")
        if not (self.cluster_size >= 1 and math.isfinite(self.cluster_size)):
            raise SampleSizeInputError("cluster_size", "cluster_size must be at least 1.")

    @property
    def z_alpha(self) -> float:
        """The critical value of the (one- or two-sided) normal test."""
        return float(-special.ndtri(self.alpha / self.sided))  # the normal's upper-tail quantile

    @property
    def design_effect(self) -> float:
        """Variance inflation of a cluster design, 1 + (m - 1) ICC (Donner & Klar 2000, eq. 2.1)."""
        return 1 + (self.cluster_size - 1) * self.icc

    @property
    def retained(self) -> float:
        """The share of an enrolled n that counts in the analysis after dropout and clustering."""
        return (1 - self.dropout) / self.design_effect


@dataclass(frozen=True)
class SampleSizeResult:
    """A solved design: sizes rounded up per group, the power they give, and the formula's source.

    ``n_exact`` holds the per-group sizes after dropout and design-effect inflation but before
    rounding; ``power`` is the power of the rounded sizes when n was solved, else the power of the
    given n. Survival designs add the required (or expected) number of events.
    """

    design: str
    solved_for: str
    n_per_group: tuple[int, ...]
    n_total: int | None
    power: float
    n_exact: tuple[float, ...]
    method: str
    events: int | None = None
    events_exact: float | None = None

    def as_dict(self) -> dict:
        """The result as plain JSON-ready values (the command's and the saved record's shape)."""
        out = {
            "design": self.design,
            "solved_for": self.solved_for,
            "n_per_group": list(self.n_per_group),
            "n_total": self.n_total,
            "power": self.power,
            "n_exact": list(self.n_exact),
            "method": self.method,
        }
        if self.events is not None:
            out["events"] = self.events
            out["events_exact"] = self.events_exact
        return out


def round_up(value: float) -> int:
    """The smallest whole number at least `value`, ignoring floating-point noise below 1e-9."""
    nearest = round(value)
    return int(nearest) if abs(value - nearest) < _WHOLE * max(1.0, abs(value)) else math.ceil(value)


def normal_power(
    effect: float, z_alpha: float, *, null_se: float, alt_se: float, sided: int, strict: bool
) -> float:
    """Power of a z test of an effect whose standard error is ``null_se`` under H0, ``alt_se`` under H1.

    Only the rejection tail in the direction of the effect counts unless ``strict`` is set for a
    two-sided test (then the far tail is added, as R's ``strict = TRUE`` and ``pwr`` do).
    """
    effect = abs(effect)
    power = special.ndtr((effect - z_alpha * null_se) / alt_se)
    if strict and sided == 2:
        power += special.ndtr((-effect - z_alpha * null_se) / alt_se)
    return float(power)


def require_positive(field: str, value: float | None, what: str) -> float:
    if value is None:
        raise SampleSizeInputError(field, f"{field} is required ({what}).")
    if not (value > 0 and math.isfinite(value)):
        raise SampleSizeInputError(field, f"{field} must be a positive number.")
    return float(value)


def require_probability(field: str, value: float | None) -> float:
    if value is None:
        raise SampleSizeInputError(field, f"{field} is required.")
    if not 0 < value < 1:
        raise SampleSizeInputError(field, f"{field} must be a probability strictly between 0 and 1.")
    return float(value)


def require_one_group(plan: Plan, design: str) -> None:
    if plan.ratio != 1:
        raise SampleSizeInputError("ratio", f"ratio applies to two-group designs, not {design}.")


def forbid_strict(plan: Plan, design: str) -> None:
    if plan.strict:
        raise SampleSizeInputError("strict", f"strict (both tails) applies to equality tests, not {design}.")


def smallest_size_reaching(power_at: Callable[[float], float], target: float, lower: float) -> float:
    """The smallest effective group-1 size whose power reaches `target` (power rises with n)."""
    gap = lambda n1: power_at(n1) - target  # noqa: E731 - a one-line objective for brentq
    if gap(lower) >= 0:
        return lower
    upper = max(4 * lower, 16.0)
    while gap(upper) < 0:
        if upper > _N_CEILING:
            raise SampleSizeInputError(
                "power", f"A power of {target:g} cannot be reached with these assumptions at any sample size."
            )
        lower, upper = upper, upper * 8
    # Imported here: only the designs without a closed form search, and scipy.optimize costs the command
    # line about 0.2 s of start-up (issue 19 §2).
    from scipy import optimize

    return float(optimize.brentq(gap, lower, upper, xtol=1e-12, rtol=_RTOL, maxiter=500))


def solve(
    *,
    design: str,
    method: str,
    plan: Plan,
    power_at: Callable[[float, float], float],
    groups: int = 2,
    smallest_n: float = 1.0,
) -> SampleSizeResult:
    """Solve a design for n (given power) or power (given n) from its power function.

    ``power_at(n1, n2)`` gives the power at effective group sizes (after dropout and clustering).
    Group 2 has ``plan.ratio`` times group 1. A solved n is inflated for dropout and the design
    effect first and rounded up per group after, so the rounded sizes keep at least the target power.
    """
    ratio = plan.ratio if groups == 2 else 1.0
    retained = plan.retained

    def power_of_group1(n1: float) -> float:
        return power_at(n1, ratio * n1)

    if plan.power is not None:
        effective = smallest_size_reaching(power_of_group1, plan.power, smallest_n)
        exact = effective / retained
        sizes = (exact, ratio * exact)[:groups]
        rounded = tuple(round_up(size) for size in sizes)
        achieved = power_at(rounded[0] * retained, rounded[-1] * retained if groups == 2 else 0.0)
        solved_for = "n"
    else:
        sizes = (plan.n, ratio * plan.n)[:groups]
        rounded = tuple(round_up(size) for size in sizes)
        achieved = power_of_group1(plan.n * retained)
        solved_for = "power"
    return SampleSizeResult(
        design=design,
        solved_for=solved_for,
        n_per_group=rounded,
        n_total=sum(rounded),
        power=float(achieved),
        n_exact=tuple(float(size) for size in sizes),
        method=method,
    )
