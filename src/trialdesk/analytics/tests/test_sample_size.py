"""Every case of tests/data/reference/sample_size.json, reproduced in its sources' rounding.

Each case names its parameters as its source does; the functions below map them to Trialdesk's
designs. A case added to the file without a mapping here fails, so none is skipped silently.
"""

import json
import math

import pytest
from scipy import optimize

from tests.reference_data import REFERENCE_DATA
from trialdesk.analytics.sample_size import (
    mcnemar,
    one_mean,
    one_proportion,
    paired_means,
    superiority_proportions,
    survival,
    two_means,
    two_proportions,
)
from trialdesk.analytics.sample_size.common import Plan, solve

REFERENCE = REFERENCE_DATA / "reference/sample_size.json"


def load_cases() -> dict[str, dict]:
    return {case["id"]: case for case in json.loads(REFERENCE.read_text(encoding="utf-8"))["cases"]}


CASES = load_cases()


def gsdesign_printed_n(result) -> int:
    """gsDesign's print.nSurvival shows n as 2 * ceiling(n / 2) of the exact total."""
    return 2 * math.ceil(sum(result.n_exact) / 2)


def check_rpt_two_sample_power(p, case):
    power = two_means(delta=p["delta"], sd=p["sd"], n=p["n"], alpha=p["alpha"], sided=p["sided"]).power
    assert power == pytest.approx(case["published_value"], abs=case["suggested_tolerance"])


def check_pwr_vignette_power_t_test_142(p, case):
    result = two_means(delta=p["delta"], sd=p["sd"], power=p["power"], alpha=p["alpha"], sided=p["sided"])
    assert result.n_exact[0] == pytest.approx(case["published_value"], abs=case["suggested_tolerance"])
    assert result.n_per_group == (143, 143)  # "ceiling 143"


def check_pwr_t_test_power_n30(p, case):
    # pwr counts both rejection tails of a two-sided test (R's strict = TRUE).
    power = two_means(effect_size=p["d"], n=p["n"], alpha=p["alpha"], sided=p["sided"], strict=True).power
    assert power == pytest.approx(case["published_value"], abs=case["suggested_tolerance"])


def check_paired_t_power(p, case):
    power = paired_means(effect_size=p["d"], n=p["n_pairs"], alpha=p["alpha"], sided=p["sided"]).power
    assert power == pytest.approx(case["published_value"], abs=case["suggested_tolerance"])


def check_chow_one_sample_mean_equality(p, case):
    result = one_mean(delta=p["margin"], sd=p["sigma"], power=1 - p["beta"], alpha=p["alpha"], test="z")
    assert result.n_exact[0] == pytest.approx(31.40, abs=0.005)  # "ceiling of 31.40"
    assert result.n_per_group == (case["published_value"],)


def check_chow_3_2_4_two_sample_equality(p, case):
    result = two_means(
        delta=p["margin"], sd=p["sigma"], power=1 - p["beta"], alpha=p["alpha"], ratio=1 / p["k"], test="z"
    )
    assert result.n_exact[0] == pytest.approx(62.79, abs=0.005)  # "ceiling of 62.79"
    assert result.n_per_group[0] == case["published_value"]


def check_power_prop_test_power(p, case):
    power = two_proportions(p1=p["p1"], p2=p["p2"], n=p["n"], alpha=p["alpha"], sided=p["sided"]).power
    assert power == pytest.approx(case["published_value"], abs=case["suggested_tolerance"])


def check_stata_2indep_power(p, case):
    # statsmodels' normal_power_het adds the far tail of the two-sided test.
    result = two_proportions(
        p1=p["prop1"], p2=p["prop2"], n=p["n_per_group"], alpha=p["alpha"], sided=p["sided"], strict=True
    )
    assert result.power == pytest.approx(case["published_value"], abs=case["suggested_tolerance"])


def _noncompliant_rates(p):
    # The source's contamination of each arm's rate by the other's (its notes), then Chow's equality test.
    rho_control, rho_treated = p["rho"]
    control = (1 - rho_control) * p["p_ctl"] + rho_control * p["p_trt"]
    treated = (1 - rho_treated) * p["p_trt"] + rho_treated * p["p_ctl"]
    return control, treated


def check_gen2arms_noncompliance_dropout(p, case):
    control, treated = _noncompliant_rates(p)
    result = two_proportions(
        p1=treated, p2=control, method="unpooled", power=1 - p["beta"], alpha=p["alpha"], dropout=p["r"]
    )
    assert result.n_exact[0] == pytest.approx(101.78, abs=0.005)  # "ceiling of 101.78"
    assert result.n_per_group == (case["published_value"],) * 2


def check_pwr_p_test_power_2s(p, case):
    result = one_proportion(effect_size=p["h"], n=p["n"], alpha=p["alpha"], sided=p["sided"], strict=True)
    assert result.power == pytest.approx(case["published_value"], abs=case["suggested_tolerance"])


def check_pwr_2p_test_010_005(p, case):
    result = two_proportions(effect_size=p["h"], power=p["power"], alpha=p["alpha"], strict=True)
    assert result.n_exact[0] == pytest.approx(case["published_value"], abs=case["suggested_tolerance"])


def check_pwr_2p2n_power(p, case):
    result = two_proportions(
        effect_size=p["h"], n=p["n1"], ratio=p["n2"] / p["n1"], alpha=p["alpha"], strict=True
    )
    assert result.n_per_group == (p["n1"], p["n2"])
    assert result.power == pytest.approx(case["published_value"], abs=case["suggested_tolerance"])


def check_fm_1990_table1_diff(p, case):
    # H0: p1 - p2 <= delta0 with delta0 = +0.1 is superiority by a margin of 0.1.
    result = superiority_proportions(
        p1=p["p1"],
        p2=p["p2"],
        margin=p["delta0"],
        alpha=p["alpha"],
        sided=1,
        power=1 - p["beta"],
        ratio=p["ratio"],
    )
    # gsDesign's own check compares to a relative tolerance of 1e-4.
    assert result.n_exact == pytest.approx(tuple(case["published_value"]), rel=1e-4)


def check_mcnemar_chow_6_4_3(p, case):
    result = mcnemar(
        p_discordant=p["p_discordant"], odds_ratio=p["psi"], power=1 - p["beta"], alpha=p["alpha"]
    )
    assert result.n_exact[0] == pytest.approx(58.63, abs=0.005)  # "ceiling of 58.63"
    assert result.n_per_group == (case["published_value"],)


def _n_survival(p, **extra):
    return survival(
        lambda1=p["l1"],
        lambda2=p["l2"],
        study_time=p["Ts"],
        accrual_time=p["Tr"],
        dropout_rate=p["eta"] or None,
        alpha=p["alpha"],
        sided=p["sided"],
        power=1 - p["beta"],
        ratio=p.get("ratio", 1),
        **extra,
    )


def check_nsurvival_unif(p, case):
    result = _n_survival(p)
    assert gsdesign_printed_n(result) == case["published_value"]["n_printed"]
    assert math.ceil(result.events_exact) == case["published_value"]["events_printed"]


def check_nsurvival_expo_r08(p, case):
    result = _n_survival(p, accrual="exponential", gamma=p["gamma"])
    assert gsdesign_printed_n(result) == case["published_value"]["n_printed"]
    assert math.ceil(result.events_exact) == case["published_value"]["events_printed"]


def check_nsurvival_rd(p, case):
    result = _n_survival(p, effect="hazard-difference")
    assert gsdesign_printed_n(result) == case["published_value"]["n_printed"]
    assert math.ceil(result.events_exact) == case["published_value"]["events_printed"]


def check_nsurv_sas_3(p, case):
    # nSurv fixes accrual (rate gamma for R time units) and solves the follow-up; we solve the study
    # duration at which Lachin–Foulkes needs exactly gamma * R participants. Defaults of nSurv:
    # one-sided alpha 0.025, power 0.9, no dropout. Tolerance 2 as in gsDesign's own test.
    enrolled = p["gamma"] * p["R"]

    def participants(study_time: float) -> float:
        result = survival(
            lambda1=p["lambdaC"],
            lambda2=p["lambdaC"] * p["hr"],
            study_time=study_time,
            accrual_time=p["R"],
            alpha=0.025,
            sided=1,
            power=0.9,
        )
        return sum(result.n_exact)

    study_time = optimize.brentq(lambda t: participants(t) - enrolled, p["R"] + 1e-6, 20 * p["R"])
    result = survival(
        lambda1=p["lambdaC"],
        lambda2=p["lambdaC"] * p["hr"],
        study_time=study_time,
        accrual_time=p["R"],
        alpha=0.025,
        sided=1,
        power=0.9,
    )
    assert result.events_exact == pytest.approx(case["published_value"]["events"], abs=2)
    assert sum(result.n_exact) == pytest.approx(case["published_value"]["n"], abs=2)


def check_dropout_inflation_gen2arms(p, case):
    # A design whose exact n is the source's 91.59999417: inflate by 1/(1 - r) first, round after.
    plan = Plan(power=0.5, dropout=p["r"])
    result = solve(design="check", method="check", plan=plan, power_at=lambda n1, n2: n1 / p["n"] / 2)
    assert result.n_exact[0] == pytest.approx(p["n"] / (1 - p["r"]), rel=1e-9)
    assert result.n_per_group[0] == case["published_value"]  # 102, not ceil(91.6) / 0.9 -> 103


CHECKS = {
    name.removeprefix("check_"): check for name, check in globals().items() if name.startswith("check_")
}


def test_every_reference_case_has_a_check():
    assert set(CASES) == set(CHECKS), f"unmapped: {sorted(set(CASES) - set(CHECKS))}"


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_reference_case_is_reproduced(case_id):
    case = CASES[case_id]
    CHECKS[case_id](case["params"], case)
