"""FDAAA 801 / 42 CFR 11 and EU CTR deadlines, status mappings and site lifecycle paths, as tables."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.integrations.registry import rules
from trialdesk.sites import rules as site_rules

D = dt.date


@pytest.mark.parametrize(
    "day, years, expected",
    [
        (D(2024, 3, 15), 1, D(2025, 3, 15)),
        (D(2024, 2, 29), 1, D(2025, 2, 28)),  # no 29 February in 2025
        (D(2024, 2, 29), 4, D(2028, 2, 29)),
        (D(2023, 12, 31), 2, D(2025, 12, 31)),
    ],
)
def test_add_years(day, years, expected):
    assert rules.add_years(day, years) == expected


@pytest.mark.parametrize(
    "first_enrolled, due",
    [
        (D(2020, 1, 10), D(2020, 1, 31)),  # 11.24(a): 21 days later
        (D(2019, 12, 20), D(2020, 1, 10)),  # across a year end
        (D(2005, 6, 1), D(2007, 12, 26)),  # enrolling before FDAAA 801: by 26 December 2007
    ],
)
def test_registration_due_21_days_after_first_enrollment(first_enrolled, due):
    assert rules.registration_due_on(first_enrolled) == due


@pytest.mark.parametrize(
    "primary_completion, certified, due, rule",
    [
        (D(2022, 6, 30), None, D(2023, 6, 30), "42 CFR 11.44(a)"),
        (D(2022, 6, 30), D(2023, 5, 1), D(2025, 5, 1), "42 CFR 11.44(b)"),  # two years after certifying
        (D(2022, 6, 30), D(2023, 6, 30), D(2025, 6, 30), "42 CFR 11.44(b)"),  # on the last day still counts
        (D(2022, 6, 30), D(2023, 7, 1), D(2023, 6, 30), "42 CFR 11.44(a)"),  # too late to certify
    ],
)
def test_results_due_a_year_after_primary_completion_unless_delay_certified(
    primary_completion, certified, due, rule
):
    assert rules.results_due_on(primary_completion, certified) == (due, rule)


def _only(deadlines, rule_prefix):
    (found,) = [d for d in deadlines if d.rule.startswith(rule_prefix)]
    return found


def test_applicable_trial_gets_registration_results_update_and_verification_deadlines():
    facts = rules.RegistryFacts(
        applicable=True,
        registered_on=D(2020, 2, 10),
        first_enrolled_on=D(2020, 1, 10),
        primary_completion_on=D(2022, 6, 30),
        primary_completion_actual=True,
        results_submitted_on=None,
        last_update_submitted_on=D(2022, 1, 5),
        status_changed_on=D(2022, 7, 1),
        registry_status_current=False,
    )
    deadlines = rules.registry_deadlines(facts)
    assert [d.rule for d in deadlines] == [
        "42 CFR 11.24(a)",  # 2020-01-31
        "42 CFR 11.64(a)(1)(ii)",  # 2022-07-31
        "42 CFR 11.64(a)(1)(i)",  # 2023-01-05
        "42 CFR 11.44(a)",  # 2023-06-30
    ]
    registration = _only(deadlines, "42 CFR 11.24")
    assert registration.standing(D(2024, 1, 1)) == ("done", 10)  # registered ten days late
    status_update = _only(deadlines, "42 CFR 11.64(a)(1)(ii)")
    assert status_update.due_on == D(2022, 7, 31)
    assert status_update.standing(D(2022, 7, 31)) == ("open", None)
    assert status_update.standing(D(2022, 8, 3)) == ("late", 3)
    assert _only(deadlines, "42 CFR 11.44").due_on == D(2023, 6, 30)


def test_trial_that_is_not_applicable_has_no_fdaaa_deadlines():
    facts = rules.RegistryFacts(applicable=False, first_enrolled_on=D(2020, 1, 10))
    assert rules.registry_deadlines(facts) == []


def test_estimated_primary_completion_gives_no_results_deadline_yet():
    facts = rules.RegistryFacts(
        applicable=True, primary_completion_on=D(2030, 1, 1), primary_completion_actual=False
    )
    assert rules.registry_deadlines(facts) == []


def test_results_before_the_final_rule_and_trials_ended_before_fdaaa_are_not_computed():
    old = rules.RegistryFacts(
        applicable=True,
        first_enrolled_on=D(2004, 5, 1),
        primary_completion_on=D(2007, 4, 1),
        primary_completion_actual=True,
    )
    assert rules.registry_deadlines(old) == []


@pytest.mark.parametrize(
    "end_of_trial, recipient, due",
    [
        (D(2023, 3, 31), "EU CTIS", D(2024, 3, 31)),  # Art. 37(4): one year after the end of the trial
        (D(2020, 3, 31), "EudraCT", D(2021, 3, 31)),  # before the Regulation applied
    ],
)
def test_eu_summary_results_due_a_year_after_end_of_trial(end_of_trial, recipient, due):
    facts = rules.RegistryFacts(applicable=False, has_eu_site=True, eu_end_of_trial_on=end_of_trial)
    (deadline,) = rules.registry_deadlines(facts)
    assert (deadline.recipient, deadline.due_on) == (recipient, due)


def test_no_eu_deadline_without_an_eu_site():
    facts = rules.RegistryFacts(applicable=False, has_eu_site=False, eu_end_of_trial_on=D(2023, 3, 31))
    assert rules.registry_deadlines(facts) == []


@pytest.mark.parametrize(
    "study_type, phases, fda_regulated, us_site, applicable",
    [
        ("INTERVENTIONAL", ("PHASE3",), True, False, True),
        ("INTERVENTIONAL", ("PHASE2",), None, True, True),
        ("INTERVENTIONAL", ("PHASE1",), True, True, False),  # phase 1 trials are excluded
        ("INTERVENTIONAL", ("NA",), False, False, False),
        ("OBSERVATIONAL", (), True, True, False),
    ],
)
def test_applicable_clinical_trial(study_type, phases, fda_regulated, us_site, applicable):
    assert (
        rules.is_applicable_clinical_trial(
            study_type=study_type, phases=phases, fda_regulated=fda_regulated, has_us_site=us_site
        )
        is applicable
    )


@pytest.mark.parametrize(
    "phases, study_type, device, phase, warned",
    [
        (("PHASE2",), "INTERVENTIONAL", False, "II", False),
        (("PHASE2", "PHASE3"), "INTERVENTIONAL", False, "II-III", False),
        (("PHASE3", "PHASE2"), "INTERVENTIONAL", False, "II-III", False),
        (("EARLY_PHASE1",), "INTERVENTIONAL", False, "I", False),
        (("PHASE4",), "INTERVENTIONAL", False, "IV", False),
        ((), "OBSERVATIONAL", False, "observational", False),
        (("NA",), "INTERVENTIONAL", True, "device", False),
        (("NA",), "INTERVENTIONAL", False, "observational", True),
    ],
)
def test_study_phase(phases, study_type, device, phase, warned):
    found, warning = rules.study_phase(phases, study_type=study_type, has_device=device)
    assert found == phase
    assert (warning is not None) == warned


@pytest.mark.parametrize(
    "current, target, before_hold, path",
    [
        ("identified", "identified", "", []),
        (
            "identified",
            "enrolling",
            "",
            ["under_feasibility", "selected", "start_up", "activated", "enrolling"],
        ),
        ("enrolling", "closed", "", ["enrollment_closed", "closed"]),
        ("enrolling", "on_hold", "", ["on_hold"]),
        ("on_hold", "closed", "enrolling", ["enrolling", "enrollment_closed", "closed"]),
        ("enrolling", "terminated", "", ["terminated"]),
        ("closed", "enrolling", "", None),  # a closed site does not reopen
        ("enrollment_closed", "enrolling", "", None),
    ],
)
def test_site_status_path_walks_the_lifecycle(current, target, before_hold, path):
    assert site_rules.site_status_path(current, target, status_before_hold=before_hold) == path


STATUSES = [s for s in (*site_rules.LIFECYCLE, site_rules.ON_HOLD, site_rules.TERMINATED)]


@given(current=st.sampled_from(site_rules.LIFECYCLE), target=st.sampled_from(STATUSES))
def test_every_step_of_a_site_status_path_is_an_allowed_transition(current, target):
    path = site_rules.site_status_path(current, target)
    if path is None:
        return
    status, before_hold = current, ""
    for step in path:
        assert site_rules.transition_problem(status, step, status_before_hold=before_hold) is None
        before_hold = status if step == site_rules.ON_HOLD else ""
        status = step
    assert status == target


def test_every_registry_status_maps_to_a_real_site_and_study_status():
    from trialdesk.sites.models import SiteStatus
    from trialdesk.studies.models import StudyStatus

    assert set(rules.SITE_STATUS.values()) <= set(SiteStatus.values)
    assert set(rules.STUDY_STATUS.values()) <= set(StudyStatus.values)
    assert set(rules.REGISTRY_STATUS_OF) == set(StudyStatus.values)
    assert set(rules.REGISTRY_SITE_STATUS_OF) == set(SiteStatus.values)
