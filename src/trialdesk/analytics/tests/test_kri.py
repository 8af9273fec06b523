"""KRI scores and flags checked against the outputs of Gilead's gsm package and published test values.

Reference files: tests/data/reference/gsm/ (gsm 2.2.3 outputs; see tests/data/README.md). Metric and Score are
compared to 1e-6 and flags exactly, as issue 5 asks.
"""

import csv
import doctest
import json
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from tests.reference_data import REFERENCE_DATA
from trialdesk.analytics import kri
from trialdesk.analytics.kri import (
    FLAG_ORDER,
    KriInputError,
    flag_scores,
    funnel_bounds,
    score_groups,
    sum_by_group,
)
from trialdesk.analytics.kri.fisher import FISHER_RELATIVE_ERROR, log_hypergeometric_pmf
from trialdesk.analytics.kri.methods import fisher_exact, normal_approximation, poisson_deviance

GSM = REFERENCE_DATA / "reference/gsm"
SNAPSHOTS = ("2012-01-31", "2012-06-30", "2012-12-31")
TOLERANCE = 1e-6


def read_csv(name: str) -> list[dict]:
    with (GSM / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def number(text: str) -> float:
    return float("nan") if text in ("", "NA") else float(text)


def kri_definitions() -> dict[str, dict]:
    """gsm_reportingMetrics.csv: each KRI's analysis type, thresholds and minimum denominator."""
    return {
        row["MetricID"]: {
            "type": row["AnalysisType"],
            "thresholds": [float(t) for t in row["Threshold"].split(",")],
            "min_denominator": float(row["nMinDenominator"]),
        }
        for row in read_csv("gsm_reportingMetrics.csv")
    }


def reporting_results(snapshot: str) -> dict[str, list[dict]]:
    by_kri = defaultdict(list)
    for row in read_csv(f"gsm_reportingResults_{snapshot}.csv"):
        by_kri[row["MetricID"]].append(row)
    return by_kri


def column(rows: list[dict], name: str) -> np.ndarray:
    return np.array([number(row[name]) for row in rows])


def in_order_of(rows: list[dict], group_ids: np.ndarray) -> list[dict]:
    by_id = {row["GroupID"]: row for row in rows}
    assert set(by_id) == set(group_ids.tolist())
    return [by_id[g] for g in group_ids]


def assert_matches_gsm(scores, expected_rows: list[dict]) -> None:
    expected = in_order_of(expected_rows, scores.group_ids)
    np.testing.assert_allclose(scores.numerator, column(expected, "Numerator"), rtol=0, atol=0)
    np.testing.assert_allclose(scores.denominator, column(expected, "Denominator"), rtol=0, atol=0)
    np.testing.assert_allclose(scores.metric, column(expected, "Metric"), rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(scores.score, column(expected, "Score"), rtol=0, atol=TOLERANCE)
    np.testing.assert_array_equal(scores.flag, column(expected, "Flag"))  # NaN where gsm has NA


# --- against gsm's outputs -------------------------------------------------------------------------


def test_normal_rate_from_participant_rows_matches_gsm_analytics_summary():
    """gsm_analyticsInput.csv (373 participants) -> gsm_analyticsSummary_expected.csv (154 sites),
    normal approximation for rates with thresholds -2, -1, 2, 3."""
    rows = read_csv("gsm_analyticsInput.csv")
    expected = read_csv("gsm_analyticsSummary_expected.csv")

    scores = score_groups(
        [row["GroupID"] for row in rows],
        column(rows, "Numerator"),
        column(rows, "Denominator"),
        method="normal",
        metric_type="rate",
        thresholds=[-2, -1, 2, 3],
    )

    assert_matches_gsm(scores, expected)
    # gsm's Summarize lists red, then amber flags first, largest metric first within a flag.
    assert scores.group_ids[scores.summary_order()].tolist() == [row["GroupID"] for row in expected]


@pytest.mark.parametrize("snapshot", SNAPSHOTS)
@pytest.mark.parametrize("kri", [f"Analysis_kri{n:04d}" for n in range(1, 13)])
def test_every_reporting_kri_of_every_snapshot_matches_gsm(snapshot, kri):
    """gsm_reportingResults_<snapshot>.csv: all 12 KRIs are normal approximations (rate or binary) with
    the thresholds and minimum denominator of gsm_reportingMetrics.csv; groups below the minimum have
    no Score or Flag, yet count in the over-dispersion factor."""
    definition = kri_definitions()[kri]
    rows = reporting_results(snapshot)[kri]

    scores = score_groups(
        [row["GroupID"] for row in rows],
        column(rows, "Numerator"),
        column(rows, "Denominator"),
        method="normal",
        metric_type=definition["type"],
        thresholds=definition["thresholds"],
        min_denominator=definition["min_denominator"],
    )

    assert_matches_gsm(scores, rows)


@pytest.mark.parametrize(
    ("kri", "metric_type", "thresholds"),
    [("Analysis_kri0001", "rate", [-2, -1, 2, 3]), ("Analysis_kri0006", "binary", [-3, -2, 2, 3])],
)
def test_normal_funnel_bounds_match_gsm_bounds_file(kri, metric_type, thresholds):
    """gsm_reportingBounds_kri0001_kri0006_2012-12-31.csv: gsm's Analyze_NormalApprox_PredictBounds on
    the 2012-12-31 snapshot, the same grid points (Threshold, Denominator) and bound values."""
    rows = reporting_results("2012-12-31")[kri]
    expected = [
        row
        for row in read_csv("gsm_reportingBounds_kri0001_kri0006_2012-12-31.csv")
        if row["MetricID"] == kri
    ]

    bounds = funnel_bounds(
        column(rows, "Numerator"),
        column(rows, "Denominator"),
        method="normal",
        metric_type=metric_type,
        thresholds=thresholds,
    )

    order = np.lexsort((bounds.denominator, bounds.threshold))
    wanted = sorted(expected, key=lambda row: (float(row["Threshold"]), float(row["Denominator"])))
    assert len(order) == len(wanted)
    np.testing.assert_array_equal(bounds.threshold[order], column(wanted, "Threshold"))
    np.testing.assert_allclose(bounds.denominator[order], column(wanted, "Denominator"), rtol=0, atol=1e-9)
    np.testing.assert_allclose(
        bounds.log_denominator[order], column(wanted, "LogDenominator"), atol=TOLERANCE
    )
    np.testing.assert_allclose(bounds.numerator[order], column(wanted, "Numerator"), rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(bounds.metric[order], column(wanted, "Metric"), rtol=0, atol=TOLERANCE)


# --- flags: gsm's tests/testthat/test-Flag.R cases ------------------------------------------------


def flag_cases() -> dict[str, dict]:
    return {case["id"]: case for case in json.loads((GSM / "gsm_flag_cases.json").read_text())["cases"]}


def as_floats(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


@pytest.mark.parametrize("case_id", ["zscore_default", "zscore_two_thresholds", "na_scores"])
def test_flags_match_gsm_flag_test_cases(case_id):
    case = flag_cases()[case_id]
    flags = case.get("vFlag", [-2, -1, 0, 1, 2])  # gsm's default vFlag

    flagged = flag_scores(as_floats(case["Score"]), case["vThreshold"], flags)

    np.testing.assert_array_equal(flagged, as_floats(case["expected_Flag_unsorted"]))


def test_flags_sorted_in_gsm_default_order_match_gsm_test_case():
    case = flag_cases()["zscore_default"]
    flagged = flag_scores(case["Score"], case["vThreshold"], case["vFlag"])

    rank = np.array([FLAG_ORDER.index(f) for f in flagged])

    assert (
        flagged[np.argsort(rank, kind="stable")].tolist()
        == case["expected_Flag_after_default_sort_vFlagOrder_[2,-2,1,-1,0]"]
    )


def test_descending_flags_on_rate_thresholds_match_gsm_test_case():
    case = flag_cases()["rate_descending_flags"]

    flagged = flag_scores(case["Score"], case["vThreshold"], case["vFlag"])

    assert flagged.tolist() == case["expected_Flag_after_default_sort"]


def test_custom_poisson_thresholds_sorted_by_severity_match_gsm_test_case():
    case = flag_cases()["poisson_custom"]
    flagged = flag_scores(case["Score"], case["vThreshold"], case["vFlag"])
    order = np.argsort([FLAG_ORDER.index(f) for f in flagged], kind="stable")

    assert flagged[order].tolist() == case["expected_Flag_sorted"]
    assert np.array(case["GroupID"])[order].tolist() == case["expected_GroupID_sorted"]


@pytest.mark.parametrize(
    ("score", "flag"),
    [(-3.0001, -2), (-3.0, -1), (-2.0001, -1), (-2.0, 0), (1.9999, 0), (2.0, 1), (2.9999, 1), (3.0, 2)],
)
def test_flag_intervals_are_closed_below_and_open_above(score, flag):
    """gsm_flag_cases.json edge_semantics: exactly -2 is not flagged, exactly 2 is amber, 3 is red."""
    assert flag_scores([score], [-3, -2, 2, 3], [-2, -1, 0, 1, 2]).tolist() == [flag]


# --- normal approximation ---------------------------------------------------------------------------


def test_groups_below_minimum_denominator_still_count_in_the_dispersion_factor():
    """gsm computes φ over every group, then blanks the scores of small groups (reference README)."""
    numerator = np.array([5.0, 40.0, 12.0, 30.0, 1.0])
    denominator = np.array([100.0, 400.0, 300.0, 350.0, 10.0])
    ids = ["a", "b", "c", "d", "e"]

    blanked = score_groups(ids, numerator, denominator, min_denominator=50)
    all_scored = score_groups(ids, numerator, denominator)
    without_small = score_groups(ids[:4], numerator[:4], denominator[:4])

    assert np.isnan(blanked.score[4]) and np.isnan(blanked.flag[4])
    assert blanked.metric[4] == 0.1
    np.testing.assert_array_equal(blanked.score[:4], all_scored.score[:4])
    assert not np.allclose(blanked.score[:4], without_small.score)


def test_no_events_or_no_spread_gives_zero_scores_as_gsm_core():
    """gsm.core Analyze_NormalApprox sets z to 0 when the overall metric is 0 (or 1) or φ is 0."""
    denominator = np.array([10.0, 20.0, 30.0])
    assert normal_approximation(np.zeros(3), denominator, "rate").score.tolist() == [0, 0, 0]
    assert normal_approximation(denominator, denominator, "binary").score.tolist() == [0, 0, 0]
    assert normal_approximation(denominator / 10, denominator, "rate").score.tolist() == [0, 0, 0]


def test_binary_overall_proportion_above_one_gives_no_scores_as_gsm():
    """gsm_reportingResults_2012-01-31.csv, kri0006: 18 discontinuations of 13 participants; gsm's
    binomial variance is negative there, so its scores are NA (NaN arithmetic)."""
    scores = score_groups(["a", "b"], [5, 3], [4, 2], method="normal", metric_type="binary")

    assert np.isnan(scores.score).all() and np.isnan(scores.flag).all()
    assert scores.metric.tolist() == [1.25, 1.5]


# --- Poisson ----------------------------------------------------------------------------------------


def r_glm_poisson_offset_fit(y: np.ndarray, exposure: np.ndarray) -> np.ndarray:
    """Fitted means of R's glm.fit (IRLS from mustart = y + 0.1, stop at relative deviance change
    below 1e-8) for y ~ offset(log(exposure)), family poisson: the fit gsm's Analyze_Poisson uses."""
    offset = np.log(exposure)
    mu = y + 0.1
    eta = np.log(mu)
    deviance_old = np.inf
    for _ in range(25):
        z = eta - offset + (y - mu) / mu
        beta = np.sum(mu * z) / np.sum(mu)
        eta = beta + offset
        mu = np.exp(eta)
        deviance = 2 * np.sum(stats.poisson.logpmf(y, y) - stats.poisson.logpmf(y, mu))
        if abs(deviance - deviance_old) / (abs(deviance) + 0.1) < 1e-8:
            break
        deviance_old = deviance
    return mu


def test_poisson_scores_are_deviance_residuals_of_r_glm_fit():
    """Score = sign(y − μ) √(2 (log p(y | y) − log p(y | μ))) with μ from R's IRLS fit, to 1e-6."""
    rows = reporting_results("2012-06-30")["Analysis_kri0012"]  # screen failures, some sites with none
    y, exposure = column(rows, "Numerator"), column(rows, "Denominator")

    scores = poisson_deviance(y, exposure).score

    mu = r_glm_poisson_offset_fit(y, exposure)
    expected = np.sign(y - mu) * np.sqrt(2 * (stats.poisson.logpmf(y, y) - stats.poisson.logpmf(y, mu)))
    np.testing.assert_allclose(scores, expected, rtol=0, atol=TOLERANCE)
    assert (y == 0).any()  # the y log y = 0 case is exercised


def test_poisson_with_no_events_scores_zero():
    assert poisson_deviance(np.zeros(3), np.array([1.0, 2.0, 3.0])).score.tolist() == [0, 0, 0]


def test_poisson_funnel_bounds_are_counts_whose_deviance_residual_is_the_threshold():
    rows = reporting_results("2012-12-31")["Analysis_kri0001"]
    numerator, denominator = column(rows, "Numerator"), column(rows, "Denominator")

    bounds = funnel_bounds(numerator, denominator, method="poisson", thresholds=[-3, -2, 2, 3])

    rate = numerator.sum() / denominator.sum()
    expected_count = rate * bounds.denominator
    deviance = 2 * (
        bounds.numerator * np.log(bounds.numerator / expected_count) - (bounds.numerator - expected_count)
    )
    residual = np.sign(bounds.numerator - expected_count) * np.sqrt(np.maximum(deviance, 0))
    np.testing.assert_allclose(residual, bounds.threshold, atol=1e-9)
    assert set(bounds.threshold.tolist()) == {-3.0, -2.0, 0.0, 2.0, 3.0}
    np.testing.assert_allclose(bounds.metric, bounds.numerator / bounds.denominator)


# --- Fisher's exact test ----------------------------------------------------------------------------


def test_fisher_tea_tasting_p_value_is_r_documented_value():
    """R ?fisher.test, Fisher's tea-tasting table [[3, 1], [1, 3]]: two-sided p-value 0.4857 (= 34/70,
    a tie between the two tails that R's relative tolerance must include)."""
    p = fisher_exact(np.array([3.0, 1.0]), np.array([4.0, 4.0])).score

    np.testing.assert_allclose(p, [34 / 70, 34 / 70], rtol=1e-12)


@pytest.mark.parametrize(
    "kri", ["Analysis_kri0005", "Analysis_kri0009", "Analysis_kri0011", "Analysis_kri0012"]
)
def test_fisher_matches_scipy_fisher_exact_on_gsm_binary_kris(kri):
    """Each site against the rest, as gsm's Analyze_Fisher builds the table, by scipy's own test."""
    rows = reporting_results("2012-12-31")[kri]
    numerator, denominator = column(rows, "Numerator"), column(rows, "Denominator")
    rest_n, rest_d = numerator.sum() - numerator, denominator.sum() - denominator

    p = fisher_exact(numerator, denominator).score

    expected = [
        stats.fisher_exact([[n, d - n], [rn, rd - rn]]).pvalue
        for n, d, rn, rd in zip(numerator, denominator, rest_n, rest_d, strict=True)
    ]
    np.testing.assert_allclose(p, expected, rtol=1e-9, atol=1e-15)


def r_fisher_two_sided(x: int, white: int, black: int, draws: int) -> float:
    """R's fisher.test two-sided p-value literally: normalised densities over the whole support, summed
    where d <= d[observed] * (1 + 1e-7)."""
    support = np.arange(max(0, draws - black), min(draws, white) + 1)
    log_d = stats.hypergeom.logpmf(support, white + black, white, draws)
    d = np.exp(log_d - log_d.max())
    d /= d.sum()
    return float(d[d <= d[x - support[0]] * FISHER_RELATIVE_ERROR].sum())


@given(
    st.lists(
        st.tuples(st.integers(0, 40), st.integers(1, 60)).map(lambda t: (min(t), max(t))),
        min_size=2,
        max_size=8,
    )
)
def test_fisher_matches_r_algorithm_on_small_tables(groups):
    numerator = np.array([n for n, _ in groups], dtype=float)
    denominator = np.array([d for _, d in groups], dtype=float)

    p = fisher_exact(numerator, denominator).score

    white = int(numerator.sum())
    black = int(denominator.sum()) - white
    expected = [r_fisher_two_sided(int(n), white, black, int(d)) for n, d in groups]
    np.testing.assert_allclose(p, expected, rtol=1e-9, atol=1e-14)


def test_fisher_stays_accurate_for_a_billion_data_pages():
    """kri0010 (data pages entered late, 1.07e9 pages): the log probabilities of R's dhyper form stay
    smooth where log-gamma differences lose 1e-5, so the p-values agree with R's algorithm (a direct
    sum over the support, here ±60 SD around the mean) to the precision of scipy's tail sums."""
    rows = reporting_results("2012-12-31")["Analysis_kri0010"]
    numerator, denominator = column(rows, "Numerator"), column(rows, "Denominator")
    white = int(numerator.sum())
    black = int(denominator.sum()) - white

    p = fisher_exact(numerator, denominator).score

    for i in range(0, len(rows), 25):
        draws, x = int(denominator[i]), int(numerator[i])
        mean = draws * white / (white + black)
        spread = 60 * np.sqrt(mean * black / (white + black))
        support = np.arange(int(mean - spread), int(mean + spread))
        log_d = log_hypergeometric_pmf(support, white, black, draws)
        d = np.exp(log_d - log_d.max())
        observed = np.exp(log_hypergeometric_pmf(x, white, black, draws) - log_d.max())
        expected = d[d <= observed * FISHER_RELATIVE_ERROR].sum() / d.sum()
        np.testing.assert_allclose(p[i], expected, rtol=1e-6)


def test_fisher_flags_small_p_values_with_gsm_documented_thresholds():
    """gsm's documented Fisher flagging: Flag(vThreshold = c(0.01, 0.05), vFlag = c(2, 1, 0))."""
    scores = score_groups(["a", "b", "c"], [30, 5, 5], [60, 60, 60], method="fisher", metric_type="binary")

    assert scores.thresholds == (0.01, 0.05) and scores.flags == (2, 1, 0)
    np.testing.assert_array_equal(scores.flag, flag_scores(scores.score, [0.01, 0.05], [2, 1, 0]))
    assert scores.flag[0] == 2


@pytest.mark.parametrize(
    ("numerator", "denominator", "metric_type", "message"),
    [
        ([1.5, 2], [4, 4], "binary", "Numerator 1.5 is not a whole number"),
        ([1, 2], [4, 4], "rate", "use the binary type"),
        ([5, 2], [4, 4], "binary", "group a: Numerator 5 exceeds Denominator 4"),
    ],
)
def test_fisher_refuses_what_is_no_table_of_participants(numerator, denominator, metric_type, message):
    with pytest.raises(KriInputError, match=message):
        score_groups(["a", "b"], numerator, denominator, method="fisher", metric_type=metric_type)


# --- identity, grouping and input checks ------------------------------------------------------------


def test_identity_score_is_the_metric():
    scores = score_groups(
        ["a", "b"], [1, 9], [4, 10], method="identity", thresholds=[0.5, 0.8], flags=[2, 1, 0]
    )

    assert scores.score.tolist() == scores.metric.tolist() == [0.25, 0.9]
    assert scores.flag.tolist() == [2, 0]


@given(
    st.lists(
        st.tuples(st.sampled_from("ABCDE"), st.integers(0, 50), st.integers(0, 500)), min_size=1, max_size=40
    )
)
def test_sum_by_group_equals_plain_sums_and_sets_aside_zero_denominators(rows):
    totals = sum_by_group([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])

    expected = defaultdict(lambda: [0, 0])
    for group, n, d in rows:
        expected[group][0] += n
        expected[group][1] += d
    assert totals.group_ids.tolist() == sorted(g for g, (_, d) in expected.items() if d > 0)
    assert totals.excluded_group_ids.tolist() == sorted(g for g, (_, d) in expected.items() if d == 0)
    assert totals.numerator.tolist() == [expected[g][0] for g in totals.group_ids]
    assert totals.denominator.tolist() == [expected[g][1] for g in totals.group_ids]


def test_row_order_does_not_change_scores():
    rows = read_csv("gsm_analyticsInput.csv")
    ids, numerator, denominator = (
        [r["GroupID"] for r in rows],
        column(rows, "Numerator"),
        column(rows, "Denominator"),
    )
    shuffled = np.random.default_rng(5).permutation(len(rows))

    first = score_groups(ids, numerator, denominator)
    second = score_groups(np.array(ids)[shuffled], numerator[shuffled], denominator[shuffled])

    assert first.group_ids.tolist() == second.group_ids.tolist()
    np.testing.assert_allclose(first.score, second.score, rtol=1e-12)


@pytest.mark.parametrize(
    ("numerator", "denominator", "field", "index"),
    [
        ([1, -1, 2], [5, 5, 5], "Numerator", 1),
        ([1, 1, 2], [5, 5, -5], "Denominator", 2),
        ([1, np.nan, 2], [5, 5, 5], "Numerator", 1),
    ],
)
def test_bad_counts_are_refused_naming_the_row(numerator, denominator, field, index):
    with pytest.raises(KriInputError) as refusal:
        score_groups(["a", "b", "c"], numerator, denominator)

    assert (refusal.value.field, refusal.value.index) == (field, index)


@pytest.mark.parametrize(
    ("thresholds", "flags", "message"),
    [
        ([-2, -3, 2, 3], None, "must increase strictly"),
        ([-3, -2, 2], None, "cannot be split evenly"),
        ([-2, 2], [0, 1], "2 thresholds need 3 flags"),
        ([], None, "one or more finite numbers"),
    ],
)
def test_bad_thresholds_are_refused(thresholds, flags, message):
    with pytest.raises(KriInputError, match=message):
        score_groups(["a", "b"], [1, 2], [10, 10], thresholds=thresholds, flags=flags)


@pytest.mark.parametrize("module", [kri.bounds, kri.fisher, kri.flags, kri.groups, kri.scoring])
def test_docstring_examples_run(module):
    assert doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0
