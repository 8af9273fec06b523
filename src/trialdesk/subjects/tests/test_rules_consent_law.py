"""Who signs a consent and when, as tables: the consent before the first study procedure (21 CFR 50.20,
45 CFR 46.116, ICH E6(R3) 2.8), a legally authorised representative with their relationship (21 CFR
50.3(l)), a minor's assent with the child's age (21 CFR 50.55), and re-consent at the age of majority
where the site is (Korea: 19 since 1 July 2013, Civil Act Art. 4, read; others shipped unverified)."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.subjects import consent_law

D = dt.date


@pytest.mark.parametrize(
    ("consent", "procedure", "allowed"),
    [
        (D(2025, 3, 3), None, True),  # no procedure yet
        (D(2025, 3, 3), D(2025, 3, 3), True),  # the same day: consent first, then the assessment
        (D(2025, 3, 3), D(2025, 3, 5), True),
        (D(2025, 3, 6), D(2025, 3, 5), False),  # consent after the first screening assessment
        (None, D(2025, 3, 5), False),  # a procedure with no consent at all
    ],
)
def test_the_consent_comes_before_the_first_study_procedure(consent, procedure, allowed):
    problem = consent_law.consent_after_procedure_problem(
        first_consent_on=consent, first_procedure_on=procedure
    )
    assert (problem is None) is allowed


@pytest.mark.parametrize(
    ("country", "region", "age", "verified"),
    [
        ("KR", "", 19, True),  # Civil Act Art. 4
        ("JP", "", 18, False),  # Civil Code Art. 4 since 1 April 2022
        ("GB", "", 16, False),  # SI 2004/1031: a minor is under 16 for a clinical trial
        ("US", "", 18, False),
        ("US", "Alabama", 19, False),
        ("US", "ne", 19, False),  # by code, any case
        ("US", "Mississippi", 21, False),
        ("CA", "British Columbia", 19, False),
        ("CA", "Ontario", 18, False),
        ("DE", "", 18, False),  # the default
    ],
)
def test_the_age_of_majority_where_the_site_is(country, region, age, verified):
    found = consent_law.age_of_majority(country, region)
    assert (found.age, found.verified) == (age, verified)
    assert found.citation


BASE = dict(
    signer="participant",
    relationship="",
    assent="",
    age=None,
    majority_age=19,
    majority_on=None,
    signed_on=D(2025, 3, 3),
)


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({}, []),
        ({"age": 30}, []),
        # a representative for an adult who cannot consent
        ({"signer": "representative", "relationship": "spouse", "age": 70}, []),
        ({"signer": "representative"}, ["representative_relationship"]),
        ({"relationship": "mother"}, ["representative_relationship"]),
        ({"age": 17}, ["minor_assent", "signer"]),  # a minor does not sign alone
        ({"signer": "representative", "relationship": "mother", "age": 17, "assent": "assented"}, []),
        ({"signer": "representative", "relationship": "mother", "age": 9, "assent": "waived"}, []),
        ({"signer": "representative", "relationship": "mother", "age": 17}, ["minor_assent"]),
        ({"signer": "representative", "relationship": "mother", "assent": "assented"}, ["age_at_signing"]),
        ({"signer": "representative", "relationship": "mother", "age": 19, "assent": "assented"},
         ["minor_assent"]),
        # aged 17 on 2025-03-03, 19 is reached between 2026-03-04 and 2027-03-03
        ({"signer": "representative", "relationship": "mother", "age": 17, "assent": "assented",
          "majority_on": D(2026, 3, 4)}, []),
        ({"signer": "representative", "relationship": "mother", "age": 17, "assent": "assented",
          "majority_on": D(2027, 3, 3)}, []),
        ({"signer": "representative", "relationship": "mother", "age": 17, "assent": "assented",
          "majority_on": D(2027, 3, 4)}, ["majority_on"]),
        ({"age": 30, "majority_on": D(2027, 3, 4)}, ["majority_on"]),
    ],
)  # fmt: skip
def test_who_signed_fits_the_participants_age(changes, fields):
    assert sorted(consent_law.signer_problems(**{**BASE, **changes})) == sorted(fields)


@pytest.mark.parametrize(
    ("signed_on", "age", "majority_age", "majority_on", "due", "exact"),
    [
        (D(2025, 3, 3), 17, 19, None, D(2026, 3, 4), False),  # the earliest day they can turn 19
        (D(2025, 3, 3), 17, 19, D(2026, 11, 20), D(2026, 11, 20), True),  # known at the site
        (D(2025, 3, 3), 17, 18, None, D(2025, 3, 4), False),  # could be 18 the next day
        (D(2024, 2, 29), 15, 18, None, D(2026, 3, 1), False),  # a leap day
    ],
)
def test_re_consent_is_due_on_reaching_the_age_of_majority(
    signed_on, age, majority_age, majority_on, due, exact
):
    found = consent_law.majority_reconsent_due(
        signed_on=signed_on, age=age, majority_age=majority_age, majority_on=majority_on
    )
    assert found == (due, exact)


@given(st.dates(D(2000, 1, 1), D(2040, 1, 1)), st.integers(0, 20), st.integers(16, 21))
def test_the_majority_window_is_one_year_long_and_never_before_the_consent(signed_on, age, majority_age):
    if age >= majority_age:
        return
    first, last = consent_law.majority_window(signed_on=signed_on, age=age, majority_age=majority_age)
    assert signed_on < first <= last
    assert 364 <= (last - first).days <= 365
