"""The people rules as tables: training, delegations in force, the transition rule, disclosures due."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.people import interests as interest_rules
from trialdesk.people import rules
from trialdesk.people.rules import TrainingFact

D = dt.date
GCP_2026 = TrainingFact("gcp", D(2024, 1, 10), D(2026, 1, 10))
PROTOCOL_V2 = TrainingFact("protocol", D(2025, 3, 1), None, protocol_version_id=2)
SYSTEM = TrainingFact("system", D(2024, 5, 1), None)


@pytest.mark.parametrize(
    ("facts", "on", "version", "needs_system", "expected"),
    [
        # everything in place
        ([GCP_2026, PROTOCOL_V2, SYSTEM], D(2025, 6, 1), 2, True, []),
        # GCP counts up to and including its expiry day, not after
        ([GCP_2026, PROTOCOL_V2], D(2026, 1, 10), 2, False, []),
        ([GCP_2026, PROTOCOL_V2], D(2026, 1, 11), 2, False, ["GCP certificate expired on 2026-01-10"]),
        # not yet valid before completion
        (
            [GCP_2026, PROTOCOL_V2],
            D(2024, 1, 9),
            2,
            False,
            ["no GCP certificate", "not trained on protocol v2"],
        ),
        ([PROTOCOL_V2], D(2025, 6, 1), 2, False, ["no GCP certificate"]),
        # trained on an older version only
        (
            [GCP_2026, TrainingFact("protocol", D(2024, 2, 1), None, 1)],
            D(2025, 6, 1),
            2,
            False,
            ["not trained on protocol v2"],
        ),
        # no approved protocol yet: nothing to train on
        ([GCP_2026], D(2025, 6, 1), None, False, []),
        # system tasks need system training
        ([GCP_2026, PROTOCOL_V2], D(2025, 6, 1), 2, True, ["no current system training"]),
        # a renewed certificate replaces an expired one
        (
            [TrainingFact("gcp", D(2021, 1, 1), D(2023, 1, 1)), GCP_2026, PROTOCOL_V2],
            D(2025, 6, 1),
            2,
            False,
            [],
        ),
    ],
)
def test_training_gaps_table(facts, on, version, needs_system, expected):
    gaps = rules.training_gaps(
        facts, on=on, protocol_version_id=version, protocol_label="v2", needs_system=needs_system
    )
    assert gaps == expected


@pytest.mark.parametrize(
    ("kind", "completed", "expires", "has_version", "expected_fields"),
    [
        ("gcp", D(2024, 1, 1), D(2027, 1, 1), False, set()),
        ("gcp", D(2024, 1, 1), None, False, {"expires_on"}),
        ("gcp", D(2024, 1, 1), D(2024, 1, 1), False, {"expires_on"}),
        ("protocol", D(2024, 1, 1), None, True, set()),
        ("protocol", D(2024, 1, 1), None, False, {"protocol_version"}),
        ("system", D(2024, 1, 1), None, True, {"protocol_version"}),
    ],
)
def test_training_record_problems_table(kind, completed, expires, has_version, expected_fields):
    problems = rules.training_record_problems(
        kind=kind, completed_on=completed, expires_on=expires, has_protocol_version=has_version
    )
    assert set(problems) == expected_fields


@pytest.mark.parametrize(
    ("starts", "ends", "signed", "on", "in_force"),
    [
        (D(2025, 1, 1), None, True, D(2025, 1, 1), True),
        (D(2025, 1, 1), None, True, D(2024, 12, 31), False),
        (D(2025, 1, 1), D(2025, 3, 31), True, D(2025, 3, 31), True),
        (D(2025, 1, 1), D(2025, 3, 31), True, D(2025, 4, 1), False),
        (D(2025, 1, 1), None, False, D(2025, 6, 1), False),  # not yet signed by the PI
    ],
)
def test_delegation_in_force_table(starts, ends, signed, on, in_force):
    assert rules.delegation_in_force(starts_on=starts, ends_on=ends, signed=signed, on=on) is in_force


@pytest.mark.parametrize(
    ("keeps_log", "may_work", "delegated", "allowed"),
    [
        (False, True, False, True),  # site not keeping its log in Trialdesk yet: staff may work
        (False, False, False, False),  # but never someone who may not work at the site
        (True, True, False, False),  # log kept: only delegated staff
        (True, True, True, True),
        (True, False, True, False),
    ],
)
def test_may_perform_transition_rule_table(keeps_log, may_work, delegated, allowed):
    assert (
        rules.may_perform_task(site_keeps_log=keeps_log, may_work_at_site=may_work, delegated=delegated)
        is allowed
    )


@pytest.mark.parametrize(
    ("tasks", "problem_starts"),
    [
        (["consent", "crf_entry"], None),
        ([], "Delegate at least one task"),
        (["consent", "consent"], "A task is listed twice"),
        (["surgery"], "Unknown task 'surgery'"),
        ("consent", "Give the delegated tasks"),
    ],
)
def test_tasks_problem_table(tasks, problem_starts):
    problem = rules.tasks_problem(tasks)
    assert (problem is None) if problem_starts is None else problem.startswith(problem_starts)


START = D(2025, 1, 15)
CLOSED = D(2026, 3, 1)


@pytest.mark.parametrize(
    ("closed", "disclosed", "today", "expected"),
    [
        # before participation: the initial disclosure is due on the first day
        (None, {}, D(2025, 1, 1), [("initial", D(2025, 1, 15), "due")]),
        (None, {}, D(2024, 11, 1), [("initial", D(2025, 1, 15), "not_yet")]),
        (None, {}, D(2025, 1, 20), [("initial", D(2025, 1, 15), "overdue")]),
        (None, {"initial": D(2025, 1, 10)}, D(2025, 6, 1), [("initial", D(2025, 1, 15), "done")]),
        # the study closes: the closing disclosure within 30 days, another one year after
        (
            CLOSED,
            {"initial": D(2025, 1, 10)},
            D(2026, 3, 20),
            [
                ("initial", D(2025, 1, 15), "done"),
                ("study_close", D(2026, 3, 31), "due"),
                ("one_year_after", D(2027, 3, 1), "not_yet"),
            ],
        ),
        (
            CLOSED,
            {"initial": D(2025, 1, 10), "study_close": D(2026, 3, 5)},
            D(2027, 3, 2),
            [
                ("initial", D(2025, 1, 15), "done"),
                ("study_close", D(2026, 3, 31), "done"),
                ("one_year_after", D(2027, 3, 1), "overdue"),
            ],
        ),
        # a disclosure collected before the close does not count as the closing one
        (
            CLOSED,
            {"initial": D(2025, 1, 10), "study_close": D(2026, 2, 1)},
            D(2026, 4, 5),
            [
                ("initial", D(2025, 1, 15), "done"),
                ("study_close", D(2026, 3, 31), "overdue"),
                ("one_year_after", D(2027, 3, 1), "not_yet"),
            ],
        ),
    ],
)
def test_disclosures_due_table(closed, disclosed, today, expected):
    owed = rules.disclosures_due(
        participation_starts_on=START, study_closed_on=closed, disclosed=disclosed, today=today
    )
    assert [(d.occasion, d.due_on, d.status) for d in owed] == expected


def test_one_year_after_29_february_is_28_february():
    assert rules.one_year_after(D(2028, 2, 29)) == D(2029, 2, 28)


SHARES = {
    "kind": "equity_interest",
    "amount_band": "over_100k",
    "description": "shares",
    "publicly_traded": True,
}


@pytest.mark.parametrize(
    ("interests", "bad_fields"),
    [
        ([], []),
        ([SHARES], []),
        ([{"kind": "equity_interest"}], ["interests[0].amount_band"]),
        ([SHARES, {"kind": "gift", "amount_band": "up_to_25k"}], ["interests[1].kind"]),
        ([{"kind": "other", "amount_band": "up_to_25k", "value": 3}], ["interests[0].value"]),
        ([{"kind": "gift", "amount_band": 5, "description": 7, "publicly_traded": "x"}],
         [f"interests[0].{f}" for f in ("kind", "amount_band", "description", "publicly_traded")]),
        ("none", ["interests"]),
        # the old, overlapping bands are not taken on a new disclosure
        ([{"kind": "significant_payment", "amount_band": "25k_50k"}], ["interests[0].amount_band"]),
        # 21 CFR 54.2(b): an equity interest says whether the company is publicly traded
        ([{"kind": "equity_interest", "amount_band": "up_to_25k"}], ["interests[0]"]),
        ([{"kind": "significant_payment", "amount_band": "up_to_25k", "publicly_traded": True}],
         ["interests[0]"]),
    ],
)  # fmt: skip
def test_interests_problems_name_every_bad_field(interests, bad_fields):
    found = [line.split(":")[0] for line in interest_rules.interests_problems(interests)]
    assert found == bad_fields


def test_a_disclosure_on_record_keeps_its_old_band():
    old = [{"kind": "significant_payment", "amount_band": "25k_50k"}]
    assert interest_rules.interests_problems(old, new=False) == []


@given(
    start=st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 1, 1)),
    closed=st.none() | st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 1, 1)),
    today=st.dates(min_value=D(2000, 1, 1), max_value=D(2042, 1, 1)),
)
def test_disclosures_overdue_exactly_after_due_day_and_never_done_without_collection(start, closed, today):
    for due in rules.disclosures_due(
        participation_starts_on=start, study_closed_on=closed, disclosed={}, today=today
    ):
        assert due.status != "done"
        assert (due.status == "overdue") == (today > due.due_on)
        assert (due.days_overdue or 0) == max(0, (today - due.due_on).days)


@given(
    completed=st.dates(min_value=D(2000, 1, 1), max_value=D(2030, 1, 1)),
    days=st.integers(min_value=1, max_value=2000),
    on=st.dates(min_value=D(2000, 1, 1), max_value=D(2036, 1, 1)),
)
def test_gcp_current_exactly_between_completion_and_expiry(completed, days, on):
    fact = TrainingFact("gcp", completed, completed + dt.timedelta(days=days))
    gaps = rules.training_gaps([fact], on=on, protocol_version_id=None)
    assert (gaps == []) == (completed <= on <= fact.expires_on)


# Who sees disclosed financial interests ----------------------------------------------------------------

INTEREST_READERS = [
    # (case, own disclosure, administrator, roles on the study, sees the interests)
    ("the investigator, their own", True, False, {"investigator"}, True),
    ("another investigator of the study", False, False, {"investigator"}, False),
    ("an administrator with no study role", False, True, set(), True),
    ("the study's CRM", False, False, {"crm"}, True),
    ("an auditor", False, False, {"auditor"}, True),
    ("a sponsor viewer (reports them on FDA forms 3454/3455)", False, False, {"sponsor_viewer"}, True),
    ("a monitor", False, False, {"monitor"}, False),
    ("a coordinator", False, False, {"coordinator"}, False),
    ("a safety officer", False, False, {"safety"}, False),
    ("finance", False, False, {"finance"}, False),
    ("a monitor who is also the study's auditor", False, False, {"monitor", "auditor"}, True),
    ("no role on the study", False, False, set(), False),
]


@pytest.mark.parametrize(
    ("case", "own", "administrator", "roles", "sees"), INTEREST_READERS, ids=[c[0] for c in INTEREST_READERS]
)
def test_who_sees_financial_interests(case, own, administrator, roles, sees):
    found = rules.sees_financial_interests(own_disclosure=own, administrator=administrator, study_roles=roles)
    assert found is sees
