"""Continuing review as the law has it, as tables: how long an ethics approval runs in each jurisdiction,
the US IRB's decisions that none is needed, and the periodic reports that are not an expiry.

Each row names its source. Dates in force: 45 CFR 46.109(f) (2018 Requirements) from 21 January 2019;
the HRA's removal of annual progress reports from 1 June 2024 (England and Wales) and 1 August 2024
(Scotland and Northern Ireland).
"""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.regulatory import country_rules
from trialdesk.regulatory.rules import oversight, review

D = dt.date


def law(country: str, on: dt.date = D(2025, 1, 15)) -> review.ReviewLaw | None:
    found = country_rules.rules_for(country)
    return found.review_law(on) if found else None


# --- how long an approval runs -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "committee_months", "exemption", "expires_on", "valid_until", "cites"),
    [
        # 21 CFR 56.109(f) with OHRP's example: approved 15 January, runs to 14 January of the next year
        ("US", 12, "", None, D(2026, 1, 14), "21 CFR 56.109(f)"),
        ("US", 24, "", None, D(2026, 1, 14), "21 CFR 56.109(f)"),  # never longer than a year
        ("US", 6, "", None, D(2025, 7, 14), "21 CFR 56.109(f)"),  # a shorter committee period counts
        ("US", None, "", None, D(2026, 1, 14), "21 CFR 56.109(f)"),  # no period set: the law's year
        ("US", 12, "expedited", None, None, "45 CFR 46.109(f)(1)(i)"),
        ("US", 12, "limited_review", None, None, "45 CFR 46.109(f)(1)(ii)"),
        ("US", 12, "data_analysis", None, None, "45 CFR 46.109(f)(1)(iii)"),
        # a REC favourable opinion does not lapse, whatever period the committee record carries
        ("GB", 12, "", None, None, "HRA notice"),
        # Brazil: the six-monthly item is a partial report, not an expiry
        ("BR", 6, "", None, None, "CNS Resolution 466/2012"),
        ("DE", 12, "", None, None, "Regulation (EU) No 536/2014"),  # EU CTR: no periodic review
        ("CA", 12, "", None, D(2026, 1, 14), "TCPS 2"),
        ("CH", 12, "", None, D(2026, 1, 14), "no rules ship"),  # no shipped law: the committee's period
        ("CH", None, "", None, None, "no rules ship"),
        ("GB", 12, "", D(2025, 12, 31), D(2025, 12, 31), ""),  # an expiry the committee states wins
        ("US", 12, "", D(2025, 10, 1), D(2025, 10, 1), ""),
    ],
)
def test_how_long_an_ethics_approval_runs(
    country, committee_months, exemption, expires_on, valid_until, cites
):
    term = review.approval_term(
        approved_on=D(2025, 1, 15),
        expires_on=expires_on,
        committee_months=committee_months,
        law=law(country),
        exemption=exemption,
    )
    assert term.valid_until == valid_until
    assert cites in term.citation


def test_a_uk_opinion_from_before_2024_did_not_lapse_either():
    """The annual progress report was a report to the REC, never an expiry of its opinion."""
    term = review.approval_term(
        approved_on=D(2019, 5, 2), expires_on=None, committee_months=12, law=law("GB", D(2019, 5, 2))
    )
    assert term.valid_until is None and term.verified


@pytest.mark.parametrize(
    ("country", "verified"),
    [("GB", True), ("US", False), ("BR", False), ("DE", False), ("CA", False), ("JP", False)],
)
def test_each_continuing_review_rule_says_whether_its_source_was_read(country, verified):
    found = law(country)
    assert found.verified is verified
    assert found.citation and found.source


# --- the IRB's decision ------------------------------------------------------------------------------

DECISION = dict(
    kind="initial",
    to_committee=True,
    outcome="approved",
    decided_on=D(2025, 1, 15),
    expires_on=None,
    regulated_by="common_rule",
    exemption="expedited",
)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({}, None),  # 45 CFR 46.109(f)(1)(i): expedited research needs no continuing review
        ({"exemption": "data_analysis", "kind": "continuing_review"}, None),  # (f)(1)(iii) at a later review
        ({"regulated_by": "fda"}, "continuing_review_exemption"),  # 21 CFR 56.109(f) keeps annual review
        ({"regulated_by": ""}, "regulated_by"),  # the regulation it reviewed under must be said
        ({"decided_on": D(2019, 1, 20)}, "continuing_review_exemption"),  # before the 2018 Requirements
        ({"decided_on": D(2019, 1, 21)}, None),  # in force from 21 January 2019
        ({"expires_on": D(2026, 1, 14)}, "expires_on"),  # no continuing review, no expiry
        ({"kind": "amendment"}, "continuing_review_exemption"),
        ({"outcome": "rejected"}, "continuing_review_exemption"),
        ({"to_committee": False}, "continuing_review_exemption"),
        # FDA-regulated research: at least yearly, so an approval runs to one year minus one day at most
        ({"exemption": "", "regulated_by": "fda", "expires_on": D(2026, 1, 14)}, None),
        ({"exemption": "", "regulated_by": "fda", "expires_on": D(2026, 1, 15)}, "expires_on"),
        ({"exemption": "", "regulated_by": ""}, None),
    ],
)
def test_a_decision_waiving_continuing_review_follows_45_cfr_46_109_f(changes, field):
    problems = dict(review.decision_review_problems(**{**DECISION, **changes}))
    assert list(problems) == ([field] if field else [])


def test_fda_regulated_research_keeps_annual_review_and_says_why():
    problems = dict(review.decision_review_problems(**{**DECISION, "regulated_by": "fda"}))
    assert "21 CFR 56.109(f)" in problems["continuing_review_exemption"]


# --- periodic reports that are not an expiry ---------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "approved_on", "today", "due"),
    [
        ("BR", D(2025, 8, 31), D(2025, 9, 10), D(2026, 2, 28)),  # six-monthly partial report to the CEP
        ("BR", D(2025, 8, 31), D(2026, 2, 28), D(2026, 2, 28)),  # due today
        ("BR", D(2025, 8, 31), D(2026, 3, 1), D(2026, 8, 31)),
        ("GB", D(2023, 5, 2), D(2024, 3, 1), D(2024, 5, 2)),  # annual progress report, before 2024
        ("GB", D(2023, 5, 2), D(2024, 8, 1), None),  # removed UK-wide from 1 August 2024
        ("US", D(2025, 1, 15), D(2025, 3, 1), None),  # continuing review instead
    ],
)
def test_periodic_reports_are_due_but_never_an_expiry(country, approved_on, today, due):
    found = country_rules.rules_for(country)
    report = found.report_law(today)
    assert review.next_report_due(approved_on=approved_on, law=report, today=today) == due
    approval = oversight.EthicsApproval(
        approved_on,
        review.approval_term(
            approved_on=approved_on, expires_on=None, committee_months=None, law=found.review_law(approved_on)
        ).valid_until,
    )
    if country != "US":
        assert oversight.enrollment_block_reason([approval], on=today) is None


@given(
    st.dates(D(2015, 1, 1), D(2035, 12, 31)),
    st.sampled_from(["US", "GB", "BR", "DE", "CA", "JP", "IN", "AU", "CN"]),
    st.one_of(st.none(), st.integers(1, 60)),
)
def test_no_approval_runs_longer_than_its_law_allows(approved_on, country, committee_months):
    found = law(country, approved_on)
    term = review.approval_term(
        approved_on=approved_on, expires_on=None, committee_months=committee_months, law=found
    )
    if found.months is None:
        assert term.valid_until is None
    else:
        assert term.valid_until is not None
        assert approved_on <= term.valid_until < oversight.add_months(approved_on, found.months)


def test_every_dated_rule_says_where_it_comes_from_and_whether_it_was_read():
    for found in country_rules.all_rules():
        assert found.review_laws, found.code
        for key in ("continuing_review", "progress_reports", "amendment_implementation"):
            for entry in found.raw[key]:
                assert entry["citation"] and entry["source"], (found.code, key)
                assert isinstance(entry["verified"], bool), (found.code, key)
