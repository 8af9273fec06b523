"""FDAAA 801 / 42 CFR 11 and EU CTR deadlines, status mappings and site lifecycle paths, as tables."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.integrations.registry import applicability, rules, sources
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
        (D(2022, 6, 30), D(2023, 6, 29), D(2025, 6, 29), "42 CFR 11.44(b)"),  # the day before the deadline
        # NLM: a certification counts only if submitted "prior to the date of (i.e., the day before)" the
        # standard deadline; on the deadline itself it is too late
        (D(2022, 6, 30), D(2023, 6, 30), D(2023, 6, 30), "42 CFR 11.44(a)"),
        (D(2022, 6, 30), D(2023, 7, 1), D(2023, 6, 30), "42 CFR 11.44(a)"),  # too late to certify
    ],
)
def test_results_due_a_year_after_primary_completion_unless_delay_certified(
    primary_completion, certified, due, rule
):
    assert rules.results_due_on(primary_completion, certified) == (due, rule)


@pytest.mark.parametrize(
    ("certification", "approved_on", "due", "rule"),
    [
        # 11.44(c), initial approval: 30 calendar days after the FDA approves the product
        ("initial_approval", D(2024, 3, 1), D(2024, 3, 31), "42 CFR 11.44(c)"),
        # 11.44(b), a new use: 30 days after its approval
        ("new_use", D(2024, 12, 20), D(2025, 1, 19), "42 CFR 11.44(b)"),
        # never later than two years after the certification (submitted 2023-05-01)
        ("initial_approval", D(2025, 4, 20), D(2025, 5, 1), "42 CFR 11.44(c)"),
        ("initial_approval", None, D(2025, 5, 1), "42 CFR 11.44(c)"),
        ("", D(2024, 3, 1), D(2024, 3, 31), "42 CFR 11.44(b)"),  # kind not said
    ],
)
def test_delayed_results_are_due_at_the_earlier_of_30_days_after_approval_and_2_years(
    certification, approved_on, due, rule
):
    found = rules.results_due_on(
        D(2022, 6, 30), D(2023, 5, 1), certification=certification, product_approved_on=approved_on
    )
    assert found == (due, rule)


@pytest.mark.parametrize(
    ("changes", "last_update", "first_unreported"),
    [
        # 11.64(a)(1)(ii): 30 days from the first change not yet reported, not from the latest one
        ((D(2022, 7, 1), D(2022, 8, 15)), D(2022, 6, 1), D(2022, 7, 1)),
        ((D(2022, 7, 1), D(2022, 8, 15)), D(2022, 7, 20), D(2022, 8, 15)),  # the first was reported
        ((D(2022, 7, 1),), D(2022, 7, 1), None),  # reported the same day
        ((D(2022, 7, 1),), None, D(2022, 7, 1)),
        ((), D(2022, 7, 1), None),
    ],
)
def test_status_update_runs_from_the_first_unreported_change(changes, last_update, first_unreported):
    assert rules.first_unreported_change(changes, last_update_submitted_on=last_update) == first_unreported


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
    assert not status_update.verified and status_update.unknown == ""
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


@pytest.mark.parametrize(
    ("paediatric", "due", "rule", "unknown"),
    [
        (False, D(2024, 3, 31), "EU CTR 536/2014 Art. 37(4)", ""),
        (True, D(2023, 9, 30), "Regulation (EC) No 1901/2006 Art. 46(1)", ""),  # six months
        # not known whether paediatric: the earlier date, saying so
        (None, D(2023, 9, 30), "Regulation (EC) No 1901/2006 Art. 46(1)", "whether the trial is paediatric"),
    ],
)
def test_eu_results_of_a_paediatric_trial_are_due_in_six_months(paediatric, due, rule, unknown):
    facts = rules.RegistryFacts(
        applicable=False, has_eu_site=True, eu_end_of_trial_on=D(2023, 3, 31), paediatric=paediatric
    )
    (deadline,) = rules.registry_deadlines(facts)
    assert (deadline.due_on, deadline.rule, deadline.unknown) == (due, rule, unknown)
    assert deadline.verified is (rule == "EU CTR 536/2014 Art. 37(4)")


def test_an_unknown_applicability_still_shows_the_fdaaa_deadlines_marked_unknown():
    facts = rules.RegistryFacts(applicable=None, first_enrolled_on=D(2020, 1, 10))
    (registration,) = rules.registry_deadlines(facts)
    assert registration.rule == "42 CFR 11.24(a)"
    assert registration.unknown == "whether it is an applicable clinical trial"


def test_no_eu_deadline_without_an_eu_site():
    facts = rules.RegistryFacts(applicable=False, has_eu_site=False, eu_end_of_trial_on=D(2023, 3, 31))
    assert rules.registry_deadlines(facts) == []


A = applicability.ActFacts
YES, NO, UNKNOWN = applicability.YES, applicability.NO, applicability.UNKNOWN
DRUG = dict(
    study_type="INTERVENTIONAL", phases=("PHASE3",), fda_regulated_drug=True, fda_regulated_device=False
)
DEVICE = dict(
    study_type="INTERVENTIONAL", phases=("NA",), fda_regulated_drug=False, fda_regulated_device=True
)


@pytest.mark.parametrize(
    ("facts", "answer", "missing"),
    [
        # 42 CFR 11.22(b): FDA-regulated product AND (US site OR IND/IDE OR US-made product exported)
        (A(**DRUG, has_us_site=True), YES, ()),
        (A(**DRUG, under_ind_ide=True), YES, ()),
        (A(**DRUG, us_product_exported=True), YES, ()),
        (A(**DRUG, under_ind_ide=False, us_product_exported=False), NO, ()),
        (A(**DRUG), UNKNOWN, ("IND/IDE", "product made in the US and exported")),
        (A(**DRUG, under_ind_ide=False), UNKNOWN, ("product made in the US and exported",)),
        # a US site alone does not make a trial applicable: the product must be FDA-regulated
        (A(study_type="INTERVENTIONAL", phases=("PHASE2",), has_us_site=True), UNKNOWN,
         ("FDA-regulated product",)),
        (A(study_type="INTERVENTIONAL", fda_regulated_drug=False, fda_regulated_device=False,
           has_us_site=True), NO, ()),
        # not phase 1 of a drug, not a device feasibility study
        (A(**{**DRUG, "phases": ("PHASE1",)}, has_us_site=True), NO, ()),
        (A(**{**DRUG, "phases": ("EARLY_PHASE1",)}, has_us_site=True), NO, ()),
        (A(**{**DRUG, "phases": ("PHASE1", "PHASE2")}, has_us_site=True), YES, ()),
        (A(**DEVICE, primary_purpose="DEVICE_FEASIBILITY", has_us_site=True), NO, ()),
        (A(**DEVICE, primary_purpose="TREATMENT", has_us_site=True), YES, ()),
        (A(study_type="OBSERVATIONAL", fda_regulated_drug=True, has_us_site=True), NO, ()),
        (A(study_type=""), UNKNOWN, ("study type",)),
    ],
)  # fmt: skip
def test_applicable_clinical_trial(facts, answer, missing):
    found = applicability.applicable_clinical_trial(facts)
    assert (found.answer, found.missing) == (answer, missing)
    assert found.applicable is {YES: True, NO: False, UNKNOWN: None}[answer]


def test_every_deadline_rule_names_its_source():
    for key, source in sources.SOURCES.items():
        assert source.citation.startswith(key.split(" Art.")[0].split(";")[0]) and source.read, key


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


@pytest.mark.parametrize(
    ("name", "purpose", "export", "children"),
    [
        ("NCT03064438", "TREATMENT", False, False),  # oversightModule.isUsExport: false
        ("NCT04431453", "TREATMENT", None, True),  # stdAges CHILD, ADULT
        ("NCT05594173", "", None, False),  # observational: no primary purpose
    ],
)
def test_the_registry_flags_of_real_records(name, purpose, export, children):
    from trialdesk.integrations.tests.test_ctgov_import import load
    from trialdesk.interop import ctgov

    flags = ctgov.registry_flags(load(name))
    assert (flags.primary_purpose, flags.is_us_export, flags.includes_children) == (purpose, export, children)
    assert ctgov.registry_flags({"protocolSection": "not an object"}) == ctgov.RegistryFlags()
