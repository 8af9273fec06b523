"""Participant rules as tables: the status lifecycle, participant numbers, which consent version a site
uses, re-consent due dates, enrollment refusals, screening outcomes and age bands."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.subjects import rules
from trialdesk.subjects.rules import ApprovedVersion, SignedConsent

D = dt.date

# --- status lifecycle -------------------------------------------------------------------------

LEAVE = ("withdrawn", "lost_to_follow_up", "died")
# current status → the statuses it may move to by hand (the table is the rule's documentation); an
# allocation also moves an enrolled participant to randomized (BY_ALLOCATION below), nothing else does.
STATUS_MOVES = {
    "screening": ("enrolled", *LEAVE),
    "enrolled": ("on_treatment", *LEAVE),  # on treatment: a study without randomization
    "randomized": ("on_treatment", *LEAVE),
    "on_treatment": ("follow_up", "completed", *LEAVE),  # completed: a study without follow-up
    "follow_up": ("completed", *LEAVE),
    "completed": (),
    "withdrawn": (),
    "lost_to_follow_up": (),
    "died": (),
}


BY_ALLOCATION = {**STATUS_MOVES, "enrolled": ("randomized", "on_treatment", *LEAVE)}


@pytest.mark.parametrize(("current", "allowed"), STATUS_MOVES.items())
def test_allowed_status_changes_follow_the_lifecycle(current, allowed):
    assert rules.allowed_status_changes(current) == allowed


@pytest.mark.parametrize(("current", "allowed"), BY_ALLOCATION.items())
def test_an_allocation_also_moves_an_enrolled_participant_to_randomized(current, allowed):
    assert rules.allowed_status_changes(current, by_allocation=True) == allowed


@pytest.mark.parametrize("current", STATUS_MOVES)
def test_randomized_is_never_a_status_change_by_hand(current):
    problem = rules.status_change_problem(current, "randomized")
    assert problem is not None and "randomized" not in rules.allowed_status_changes(current)
    if current == "enrolled":
        assert problem == rules.RANDOMIZED_BY_ALLOCATION_ONLY
        assert rules.status_change_problem(current, "randomized", by_allocation=True) is None


@pytest.mark.parametrize("current", STATUS_MOVES)
@pytest.mark.parametrize("target", STATUS_MOVES)
def test_status_change_problem_agrees_with_the_table(current, target):
    problem = rules.status_change_problem(current, target)
    assert (problem is None) == (target in STATUS_MOVES[current])


@pytest.mark.parametrize(
    ("current", "target", "message"),
    [
        (
            "enrolled",
            "completed",
            "A participant who is enrolled can move only to: on treatment, withdrawn,",
        ),
        ("died", "enrolled", "A participant who is died cannot change status."),
        ("follow_up", "screening", "can move only to: completed, withdrawn, lost to follow up, died."),
    ],
)
def test_refused_status_change_names_the_allowed_moves(current, target, message):
    assert message in rules.status_change_problem(current, target)


@pytest.mark.parametrize(
    ("on", "today", "last_change_on", "problem"),
    [
        (D(2025, 5, 1), D(2025, 5, 1), D(2025, 4, 1), None),
        (D(2025, 4, 1), D(2025, 5, 1), D(2025, 4, 1), None),  # same day as the last change
        (D(2025, 5, 2), D(2025, 5, 1), None, "in the future"),
        (D(2025, 3, 31), D(2025, 5, 1), D(2025, 4, 1), "before the participant's previous status change"),
    ],
)
def test_status_date_problem(on, today, last_change_on, problem):
    found = rules.status_date_problem(on=on, today=today, last_change_on=last_change_on)
    assert (found is None) if problem is None else (problem in found)


# --- consent versions in use at a site --------------------------------------------------------

V1 = ApprovedVersion(1, "en", effective_on=D(2025, 1, 1), approved_on=D(2025, 2, 1))
V2 = ApprovedVersion(2, "en", effective_on=D(2025, 6, 1), approved_on=D(2025, 6, 10))
V1_DE = ApprovedVersion(3, "de", effective_on=D(2025, 1, 1), approved_on=D(2025, 3, 1))
# An older version whose approval at this site was recorded late: it does not replace the newer one.
V0_LATE = ApprovedVersion(4, "en", effective_on=D(2024, 6, 1), approved_on=D(2025, 7, 1))


@pytest.mark.parametrize(
    ("approved", "on", "current"),
    [
        ([V1, V2], D(2025, 1, 31), {}),  # nothing approved yet
        ([V1, V2], D(2025, 2, 1), {"en": 1}),
        ([V1, V2], D(2025, 6, 9), {"en": 1}),  # V2 in effect, not yet approved here
        ([V1, V2], D(2025, 6, 10), {"en": 2}),
        ([V1, V2, V1_DE], D(2025, 6, 10), {"en": 2, "de": 3}),
        ([V1, V2, V0_LATE], D(2025, 8, 1), {"en": 2}),
        (
            [ApprovedVersion(5, "en", D(2025, 9, 1), D(2025, 8, 1))],
            D(2025, 8, 15),
            {},
        ),  # approved, not effective
    ],
)
def test_current_versions_are_the_latest_in_effect_and_approved_per_language(approved, on, current):
    found = rules.current_versions(approved, on=on)
    assert {language: v.version_id for language, v in found.items()} == current


@pytest.mark.parametrize(
    ("signed_on", "version_id", "language", "problem"),
    [
        (D(2025, 3, 1), 1, "en", None),
        (D(2025, 7, 1), 2, "en", None),
        (D(2025, 3, 2), 3, "de", None),
        (D(2025, 12, 1), 2, "en", "in the future"),
        (D(2025, 1, 15), 1, "en", "in use at this site only from 2025-02-01"),
        (D(2025, 7, 1), 1, "en", "replaced at this site on 2025-06-10"),
        (D(2025, 3, 1), 99, "en", "not approved at this site"),
    ],
)
def test_consent_signing_problem(signed_on, version_id, language, problem):
    found = rules.consent_signing_problem(
        signed_on=signed_on,
        today=D(2025, 11, 1),
        version_id=version_id,
        language=language,
        approved=[V1, V2, V1_DE],
    )
    assert (found is None) if problem is None else (problem in found)


# --- re-consent due date ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("in_use_from", "window_days", "next_visit_on", "due_on"),
    [
        (D(2025, 6, 10), 30, None, D(2025, 7, 10)),  # no visit scheduled: the window
        (D(2025, 6, 10), 30, D(2025, 6, 20), D(2025, 6, 20)),  # the visit comes first
        (D(2025, 6, 10), 30, D(2025, 8, 1), D(2025, 7, 10)),  # the window ends first
        (D(2025, 6, 10), 14, D(2025, 6, 24), D(2025, 6, 24)),  # both on the same day
    ],
)
def test_reconsent_is_due_by_the_next_visit_or_the_window_whichever_first(
    in_use_from, window_days, next_visit_on, due_on
):
    assert (
        rules.reconsent_due_on(in_use_from=in_use_from, window_days=window_days, next_visit_on=next_visit_on)
        == due_on
    )


@given(
    st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 1, 1)),
    st.integers(min_value=1, max_value=365),
    st.none() | st.dates(min_value=D(2020, 1, 1), max_value=D(2031, 12, 31)),
)
def test_reconsent_due_date_is_never_after_the_window_nor_the_next_visit(
    in_use_from, window_days, next_visit_on
):
    due = rules.reconsent_due_on(
        in_use_from=in_use_from, window_days=window_days, next_visit_on=next_visit_on
    )
    assert due <= in_use_from + dt.timedelta(days=window_days)
    assert next_visit_on is None or due <= next_visit_on
    assert due in (in_use_from + dt.timedelta(days=window_days), next_visit_on)


# --- enrollment -------------------------------------------------------------------------------

ENROLLABLE = dict(
    enrolled_on=D(2025, 3, 4),
    site_status="enrolling",
    consents=[SignedConsent(version_id=1, signed_on=D(2025, 3, 3))],
    current_version_ids={1},
    site_enrolled=3,
    site_target=20,
    study_enrolled=50,
    study_target=120,
    allow_over_enrollment=False,
)


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({}, None, None),
        ({"site_status": "activated"}, "study_site", "The site is not enrolling (its status is activated)."),
        (
            {"consents": []},
            "screening_entry",
            "There is no consent on the consent version currently approved",
        ),
        (
            {"current_version_ids": set()},
            "screening_entry",
            "No consent version is approved and in use at this site",
        ),
        (
            {"consents": [SignedConsent(1, D(2025, 3, 3))], "current_version_ids": {2}},
            "screening_entry",
            "no consent on the consent version currently approved",
        ),
        (
            {"consents": [SignedConsent(1, D(2025, 3, 5))]},
            "enrolled_on",
            "dated 2025-03-05, after the enrollment",
        ),
        ({"consents": [SignedConsent(1, D(2025, 3, 4))]}, None, None),  # consent and enrollment the same day
        ({"site_enrolled": 20}, "__all__", "The site's target of 20 is reached (20 enrolled)"),
        ({"site_enrolled": 20, "site_target": 0}, None, None),  # no site target set
        ({"study_enrolled": 120}, "__all__", "The study's target of 120 is reached (120 enrolled)"),
        ({"study_enrolled": 120, "site_enrolled": 20, "allow_over_enrollment": True}, None, None),
    ],
)
def test_enrollment_refusal(change, field, reason):
    facts = {**ENROLLABLE, **change}
    found = rules.enrollment_refusal(**facts)
    assert (found is None) if reason is None else (reason in found)
    by_field = rules.enrollment_refusal_by_field(**facts)
    assert (by_field is None) if field is None else by_field[0] == field


def test_enrollment_refusal_names_the_site_status_first():
    facts = {**ENROLLABLE, "site_status": "on_hold", "consents": [], "study_enrolled": 500}
    assert rules.enrollment_refusal(**facts).startswith("The site is not enrolling (its status is on hold)")


# --- screening outcome ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "reason", "detail", "problems"),
    [
        ("pending", "", "", {}),
        ("passed", "", "", {}),
        ("failed", "", "", {"failure_reason": "A screen failure needs its reason."}),
        ("failed", "inclusion_not_met", "", {"failure_detail": "Say which inclusion criterion was not met."}),
        ("failed", "inclusion_not_met", "I3 HbA1c 7-10%", {}),
        ("failed", "exclusion_met", " ", {"failure_detail": "Say which exclusion criterion was met."}),
        ("failed", "consent_declined", "", {}),
        ("failed", "lost_before_randomization", "", {}),
        ("failed", "other", "", {"failure_detail": "Describe the reason."}),
        ("passed", "other", "x", {"failure_reason": "Only a screen failure has a screen-failure reason."}),
    ],
)
def test_screening_outcome_problems(outcome, reason, detail, problems):
    assert (
        rules.screening_outcome_problems(outcome=outcome, failure_reason=reason, failure_detail=detail)
        == problems
    )


# --- age bands --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("band", "inside", "outside"),
    [
        ("18-64", (18, 40, 64), (17, 65)),
        ("65+", (65, 90), (64,)),
        (">=65", (65,), (64,)),
        ("<18", (0, 17), (18,)),
        (" 45 - 64 ", (45, 64), (44, 65)),
    ],
)
def test_age_band_membership(band, inside, outside):
    assert rules.age_band_problem(band) is None
    assert all(rules.age_in_band(age, band) for age in inside)
    assert not any(rules.age_in_band(age, band) for age in outside)


@pytest.mark.parametrize(
    ("band", "problem"), [("old", "Write an age band"), ("65-18", "first age is above"), ("", "Write")]
)
def test_bad_age_band_is_refused(band, problem):
    assert problem in rules.age_band_problem(band)


@given(st.integers(min_value=0, max_value=120), st.integers(min_value=1, max_value=119))
def test_an_age_is_in_exactly_one_of_below_and_at_least(age, cut):
    assert rules.age_in_band(age, f"<{cut}") != rules.age_in_band(age, f"{cut}+")
