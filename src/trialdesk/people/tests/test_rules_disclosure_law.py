"""21 CFR 54.2 as a table: which disclosed interests the sponsor must disclose to the FDA, each interest in
exactly one amount band, and which disclosure dates are the law and which Trialdesk's policy.

The thresholds are strict ("more than $25,000", "exceeds $50,000"): USD 25,000 exactly is not a
significant payment and USD 50,000 exactly is not a significant equity interest in a public company.
54.2(a)–(e) were read in the text current through 30 September 2024 (in force since 2 February 1999);
54.2(f) was not read and its rows say so.
"""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.people import disclosure_law, rules
from trialdesk.people.disclosure_law import classify_interest

D = dt.date


@pytest.mark.parametrize(
    ("kind", "band", "public", "significant", "citation"),
    [
        # 54.2(a): compensation affected by the outcome, any amount
        ("outcome_compensation", "up_to_25k", None, True, "21 CFR 54.2(a)"),
        # 54.2(c): proprietary interest in the tested product, any amount
        ("proprietary_interest", "not_monetary", None, True, "21 CFR 54.2(c)"),
        # 54.2(b): ANY equity in a company that is not publicly traded
        ("equity_interest", "up_to_25k", False, True, "21 CFR 54.2(b)"),
        ("equity_interest", "not_monetary", None, True, "21 CFR 54.2(b)"),
        # 54.2(b): equity in a publicly traded company exceeding USD 50,000
        ("equity_interest", "up_to_25k", True, False, "21 CFR 54.2(b)"),
        ("equity_interest", "over_25k_to_50k", True, False, "21 CFR 54.2(b)"),  # 50,000 exactly: not over
        ("equity_interest", "over_50k_to_100k", True, True, "21 CFR 54.2(b)"),
        ("equity_interest", "over_100k", True, True, "21 CFR 54.2(b)"),
        ("equity_interest", "over_100k", None, True, "21 CFR 54.2(b)"),  # over 50,000 either way
        ("equity_interest", "up_to_25k", None, None, "21 CFR 54.2(b)"),  # public or not decides
        # 54.2(f): payments of other sorts of more than USD 25,000
        ("significant_payment", "up_to_25k", None, False, "21 CFR 54.2(f)"),  # 25,000 exactly: not more
        ("significant_payment", "over_25k_to_50k", None, True, "21 CFR 54.2(f)"),
        ("significant_payment", "over_100k", None, True, "21 CFR 54.2(f)"),
        ("significant_payment", "not_monetary", None, None, "21 CFR 54.2(f)"),
        # the old, overlapping bands: what they say at the threshold is not known
        ("significant_payment", "under_25k", None, False, "21 CFR 54.2(f)"),
        ("significant_payment", "25k_50k", None, None, "21 CFR 54.2(f)"),  # includes 25,000 exactly
        ("equity_interest", "25k_50k", True, False, "21 CFR 54.2(b)"),  # at most 50,000
        ("equity_interest", "50k_100k", True, None, "21 CFR 54.2(b)"),  # includes 50,000 exactly
        ("other", "over_100k", None, None, "21 CFR 54.2"),
    ],
)
def test_which_interests_are_disclosed_under_21_cfr_54_2(kind, band, public, significant, citation):
    found = classify_interest(kind, band, public)
    assert (found.significant, found.citation) == (significant, citation)
    assert found.verified is (citation != "21 CFR 54.2(f)")


@pytest.mark.parametrize(
    ("amount", "band"),
    [
        (0, "up_to_25k"),
        (25_000, "up_to_25k"),
        (25_000.01, "over_25k_to_50k"),
        (50_000, "over_25k_to_50k"),
        (50_000.01, "over_50k_to_100k"),
        (100_000, "over_50k_to_100k"),
        (100_000.01, "over_100k"),
    ],
)
def test_every_amount_falls_in_exactly_one_band(amount, band):
    assert bands_holding(amount) == [band]


def bands_holding(amount: float) -> list[str]:
    found = []
    for key in disclosure_law.AMOUNT_BANDS:
        if key == "not_monetary":
            continue
        low, high, low_included = disclosure_law._RANGE[key]
        if (amount > low or (low_included and amount == low)) and (high is None or amount <= high):
            found.append(key)
    return found


@given(st.floats(min_value=0, max_value=10_000_000, allow_nan=False))
def test_the_bands_never_overlap_and_never_straddle_a_threshold(amount):
    (band,) = bands_holding(amount)
    payment = classify_interest("significant_payment", band).significant
    public_equity = classify_interest("equity_interest", band, True).significant
    assert payment is (amount > 25_000)
    assert public_equity is (amount > 50_000)


@pytest.mark.parametrize(
    ("classes", "reportable"),
    [
        ([], False),
        ([classify_interest("significant_payment", "up_to_25k")], False),
        ([classify_interest("significant_payment", "up_to_25k"),
          classify_interest("proprietary_interest", "x")], True),
        ([classify_interest("significant_payment", "not_monetary")], None),
    ],
)  # fmt: skip
def test_a_disclosure_is_reportable_when_one_interest_is(classes, reportable):
    assert disclosure_law.disclosure_reportable(classes) is reportable


@pytest.mark.parametrize(
    ("occasion", "basis", "cites"),
    [
        ("initial", "law", "21 CFR 312.53(c)(4)"),
        ("update", "law", "21 CFR 54.4(b)"),
        ("study_close", "policy", "Trialdesk policy"),  # close + 30 days is Trialdesk's, not the law's
        ("one_year_after", "policy", "Trialdesk policy"),
    ],
)
def test_each_disclosure_date_says_whether_it_is_law_or_policy(occasion, basis, cites):
    owed = rules.disclosures_due(
        participation_starts_on=D(2025, 1, 1),
        study_closed_on=D(2026, 1, 1),
        disclosed={},
        today=D(2025, 6, 1),
    )
    due = {d.occasion: d for d in owed}.get(occasion) or rules.DisclosureDue(
        occasion, D(2025, 1, 1), "not_yet"
    )
    assert (due.basis, cites in due.citation) == (basis, True)
