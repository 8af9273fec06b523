"""Time-to-event designs: events for the logrank test, and participants from accrual and follow-up."""

import dataclasses
import math

from trialdesk.analytics.sample_size.common import (
    Plan,
    SampleSizeInputError,
    SampleSizeResult,
    forbid_strict,
    normal_power,
    require_positive,
    round_up,
    smallest_size_reaching,
    solve,
)

LOGRANK_METHODS = ("schoenfeld", "freedman")
ACCRUALS = ("uniform", "exponential")
EFFECTS = ("hazard-ratio", "hazard-difference")
LOGRANK_SOURCES = {
    "schoenfeld": "Schoenfeld (1983, Biometrics 39:499): events = (z_a + z_b)^2 (1 + r)^2 / (r log(HR)^2)",
    "freedman": "Freedman (1982, Stat Med 1:121): events = (z_a + z_b)^2 (1 + r HR)^2 / (r (1 - HR)^2)",
}


def logrank_events(*, hr=None, method: str = "schoenfeld", **plan) -> SampleSizeResult:
    """Events needed for the logrank test to detect a hazard ratio (or its power for n events).

    ``hr`` is the hazard of group 2 over group 1 and ``ratio`` is n2/n1. With ``n`` the total
    number of events is given and the power is solved. Participants are not counted here: use
    the ``survival`` design for them.

    Examples
    --------
    >>> logrank_events(hr=0.5, power=0.8).events  # 4 (1.96 + 0.84)^2 / log(0.5)^2 = 65.3
    66
    """
    plan = Plan(**plan)
    hr = require_positive("hr", hr, "the hazard ratio")
    if hr == 1:
        raise SampleSizeInputError("hr", "hr is 1: there is no difference to detect.")
    if method not in LOGRANK_METHODS:
        raise SampleSizeInputError("method", "method must be schoenfeld or freedman.")
    if plan.dropout or plan.icc:
        field = "dropout" if plan.dropout else "icc"
        raise SampleSizeInputError(field, f"{field} does not apply to a number of events.")
    r = plan.ratio
    if method == "schoenfeld":
        per_event = math.sqrt(r) / (1 + r) * abs(math.log(hr))
    else:
        per_event = math.sqrt(r) * abs(1 - hr) / (1 + r * hr)

    def power_of(events: float) -> float:
        shift = math.sqrt(events) * per_event
        return normal_power(
            shift, plan.z_alpha, null_se=1.0, alt_se=1.0, sided=plan.sided, strict=plan.strict
        )

    if plan.power is not None:
        exact = smallest_size_reaching(power_of, plan.power, 1.0)
        events = round_up(exact)
        achieved, solved_for = power_of(events), "n"
    else:
        exact, events = float(plan.n), round_up(plan.n)
        achieved, solved_for = power_of(plan.n), "power"
    return SampleSizeResult(
        design="logrank-events",
        solved_for=solved_for,
        n_per_group=(),
        n_total=None,
        power=achieved,
        n_exact=(),
        method=LOGRANK_SOURCES[method],
        events=events,
        events_exact=exact,
    )


def event_probability(
    hazard: float,
    *,
    dropout_rate: float,
    study_time: float,
    accrual_time: float,
    accrual: str = "uniform",
    gamma: float | None = None,
) -> float:
    """Probability that a participant has the event by the end of the study (Lachin & Foulkes 1986).

    Event and dropout times are exponential with rates ``hazard`` and ``dropout_rate``; entry is
    uniform over the accrual period or truncated exponential with shape ``gamma`` (entry density
    proportional to exp(-gamma u); gamma > 0 recruits early, gamma < 0 late). A participant who
    enters at u is followed until ``study_time``.

    Examples
    --------
    >>> round(event_probability(0.2, dropout_rate=0.1, study_time=2, accrual_time=0.5), 6)
    0.271927
    """
    theta = hazard + dropout_rate
    share = hazard / theta
    if accrual == "uniform":
        # Mean over entry times of exp(-theta (T - u)), u uniform on [0, R].
        unobserved = (math.exp(-theta * (study_time - accrual_time)) - math.exp(-theta * study_time)) / (
            theta * accrual_time
        )
        return share * (1 - unobserved)
    spread = theta - gamma
    entry_mass = 1 - math.exp(-gamma * accrual_time)
    if abs(spread) < 1e-12:
        integral = accrual_time
    else:
        integral = math.expm1(spread * accrual_time) / spread
    unobserved = gamma * math.exp(-theta * study_time) * integral / entry_mass
    return share * (1 - unobserved)


def _survival_inputs(lambda1, lambda2, study_time, accrual_time, dropout_rate, accrual, gamma, effect):
    lambda1 = require_positive("lambda1", lambda1, "the event hazard rate in group 1")
    lambda2 = require_positive("lambda2", lambda2, "the event hazard rate in group 2")
    if lambda1 == lambda2:
        raise SampleSizeInputError("lambda2", "lambda1 equals lambda2: there is no difference to detect.")
    study_time = require_positive("study_time", study_time, "the total study duration")
    accrual_time = require_positive("accrual_time", accrual_time, "the accrual duration")
    if accrual_time > study_time:
        raise SampleSizeInputError("accrual_time", "accrual_time cannot exceed study_time.")
    dropout_rate = 0.0 if dropout_rate is None else float(dropout_rate)
    if not (dropout_rate >= 0 and math.isfinite(dropout_rate)):
        raise SampleSizeInputError("dropout_rate", "dropout_rate must be a hazard rate of 0 or more.")
    if accrual not in ACCRUALS:
        raise SampleSizeInputError("accrual", "accrual must be uniform or exponential.")
    if accrual == "exponential":
        if gamma is None or not math.isfinite(gamma) or gamma == 0:
            raise SampleSizeInputError("gamma", "Exponential accrual needs a non-zero gamma.")
    elif gamma is not None:
        raise SampleSizeInputError("gamma", "gamma goes with exponential accrual.")
    if effect not in EFFECTS:
        raise SampleSizeInputError("effect", "effect must be hazard-ratio or hazard-difference.")
    return lambda1, lambda2, study_time, accrual_time, dropout_rate


def survival(
    *,
    lambda1=None,
    lambda2=None,
    study_time=None,
    accrual_time=None,
    dropout_rate=None,
    accrual: str = "uniform",
    gamma=None,
    effect: str = "hazard-ratio",
    approx: bool = False,
    **plan,
) -> SampleSizeResult:
    """Participants and events for a two-arm survival trial, Lachin & Foulkes (1986), as gsDesign::nSurvival.

    Parameters
    ----------
    lambda1, lambda2 : float
        Exponential event hazard rates of group 1 (control) and group 2 (experimental).
    study_time, accrual_time : float
        Total study duration and the accrual period at its start, in the rates' time unit.
    dropout_rate : float
        Exponential dropout hazard, the same in both groups (default 0).
    accrual : {"uniform", "exponential"}
        Entry distribution over the accrual period; exponential needs ``gamma``.
    effect : {"hazard-ratio", "hazard-difference"}
        Test of the log hazard ratio (gsDesign ``type = "rr"``, the default) or of the hazard
        difference (``type = "rd"``, H0 and H1 variances unless ``approx``).
    **plan
        The common choices of :class:`Plan`; ``ratio`` is n2/n1 (experimental/control), ``n`` the
        size of group 1.

    Examples
    --------
    >>> r = survival(lambda1=0.2, lambda2=0.1, study_time=2, accrual_time=0.5, dropout_rate=0.1,
    ...              alpha=0.025, sided=1, power=0.9)
    >>> r.n_total, r.events  # gsDesign::nSurvival prints n = 430, nEvents = 91
    (430, 91)
    """
    plan = Plan(**plan)
    forbid_strict(plan, "survival")
    if plan.icc:
        raise SampleSizeInputError(
            "icc", "icc (cluster design effect) does not apply to the survival design."
        )
    lambda1, lambda2, study_time, accrual_time, dropout_rate = _survival_inputs(
        lambda1, lambda2, study_time, accrual_time, dropout_rate, accrual, gamma, effect
    )
    times = dict(
        dropout_rate=dropout_rate,
        study_time=study_time,
        accrual_time=accrual_time,
        accrual=accrual,
        gamma=gamma,
    )
    xi0, xi1 = 1 / (1 + plan.ratio), plan.ratio / (1 + plan.ratio)
    average = xi0 * lambda1 + xi1 * lambda2
    e1, e2 = event_probability(lambda1, **times), event_probability(lambda2, **times)
    e_average = event_probability(average, **times)
    if effect == "hazard-ratio":
        distance = abs(math.log(lambda1 / lambda2))
        null_sd = 1 / math.sqrt(e_average * xi0 * xi1)
        alt_sd = math.sqrt(1 / (xi0 * e1) + 1 / (xi1 * e2))
    else:
        distance = abs(lambda1 - lambda2)
        alt_sd = math.sqrt(lambda1**2 / (xi0 * e1) + lambda2**2 / (xi1 * e2))
        null_sd = alt_sd if approx else math.sqrt(average**2 / (xi0 * xi1 * e_average))

    def power_at(n1: float, n2: float) -> float:
        return normal_power(
            distance * math.sqrt(n1 + n2), plan.z_alpha, null_se=null_sd, alt_se=alt_sd, sided=1, strict=False
        )

    entry = "uniform" if accrual == "uniform" else f"truncated exponential (gamma = {gamma:g})"
    scale = "log hazard ratio" if effect == "hazard-ratio" else "hazard difference"
    method = (
        f"Lachin & Foulkes (1986, Biometrics 42:507), {scale}, exponential survival and dropout, "
        f"{entry} accrual, as gsDesign::nSurvival"
    )
    result = solve(design="survival", method=method, plan=plan, power_at=power_at)
    analysed = (sum(result.n_exact) if plan.power is not None else plan.n * (1 + plan.ratio)) * plan.retained
    events_exact = analysed * (xi0 * e1 + xi1 * e2)
    return dataclasses.replace(result, events=round_up(events_exact), events_exact=events_exact)
