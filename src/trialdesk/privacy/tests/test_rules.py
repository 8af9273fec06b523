"""The privacy rules as tables: transfers and adequacy, the request deadline, retention, legal bases."""

import datetime as dt

import pytest

from trialdesk.privacy.rules import bases, requests, retention, transfers


@pytest.mark.parametrize(
    ("origin", "destination", "recorded", "safeguard", "flagged"),
    [
        ("DE", "FR", None, "not_required", False),  # both in the EEA: no Chapter V transfer
        ("DE", "JP", None, "adequacy_decision", False),  # Implementing Decision (EU) 2019/419
        ("DE", "CH", None, "adequacy_decision", False),
        ("DE", "US", None, None, True),  # the DPF decision covers certified recipients only
        ("DE", "CA", None, None, True),  # PIPEDA organisations only
        ("DE", "IN", None, None, True),  # no decision
        (
            "DE",
            "IN",
            ("standard_contractual_clauses", "SCCs 2021/914"),
            "standard_contractual_clauses",
            False,
        ),
        ("GB", "DE", None, "adequacy_decision", False),  # DPA 2018 Sch 21 para 4
        ("GB", "KR", None, "adequacy_decision", False),  # UK Korea regulations 2022
        ("GB", "US", None, None, True),  # UK Extension: certified recipients only
        ("US", "DE", None, None, True),  # no rules held for data from the US
        ("JP", "DE", ("other", "APPI Art 28 consent"), "other", False),
    ],
)
def test_a_transfer_is_assessed_by_origin_destination_and_what_was_recorded(
    origin, destination, recorded, safeguard, flagged
):
    assessment = transfers.assess(origin, destination, recorded)
    assert (assessment.safeguard, assessment.flagged) == (safeguard, flagged)
    assert assessment.why


def test_the_eea_is_the_27_member_states_and_iceland_liechtenstein_norway():
    assert len(transfers.adequacy()["eea"]) == 30
    assert {"IS", "LI", "NO"} <= set(transfers.adequacy()["eea"])


@pytest.mark.parametrize(
    ("received", "extended", "due"),
    [
        (dt.date(2026, 3, 10), False, dt.date(2026, 4, 10)),
        (dt.date(2026, 1, 31), False, dt.date(2026, 2, 28)),  # no 31 February: the month's last day
        (dt.date(2028, 1, 31), False, dt.date(2028, 2, 29)),  # a leap year
        (dt.date(2026, 12, 15), False, dt.date(2027, 1, 15)),
        (dt.date(2026, 3, 10), True, dt.date(2026, 6, 10)),  # extended by two further months
        (dt.date(2026, 11, 30), True, dt.date(2027, 2, 28)),
    ],
)
def test_a_request_is_due_one_month_after_receipt(received, extended, due):
    assert requests.due_on(received_on=received, extended=extended) == due


@pytest.mark.parametrize(
    ("record", "start", "today", "past"),
    [
        ("trial_master_file", dt.date(2000, 6, 30), dt.date(2025, 6, 30), False),  # the last day kept
        ("trial_master_file", dt.date(2000, 6, 30), dt.date(2025, 7, 1), True),
        ("trial_master_file", None, dt.date(2090, 1, 1), False),  # a trial not ended keeps its records
        ("staff_contact", dt.date(2023, 1, 10), dt.date(2025, 1, 10), False),
        ("staff_contact", dt.date(2023, 1, 10), dt.date(2025, 1, 11), True),
        ("data_subject_request", dt.date(2022, 5, 1), dt.date(2025, 5, 2), True),
    ],
)
def test_retention_periods_end_as_cited(record, start, today, past):
    assert retention.is_past(record, start=start, today=today) is past


def test_every_retention_rule_cites_its_basis():
    for rule in retention.rules().values():
        assert rule.basis and rule.period
    assert "Art 58" in retention.rule("trial_master_file").basis


@pytest.mark.parametrize(
    ("category", "condition", "problem"),
    [
        ("participants", "9_2_i", False),
        ("participants", "", True),  # health data need an Art 9(2) condition
        ("staff", "", False),
        ("staff", "9_2_j", True),
    ],
)
def test_health_data_need_an_article_9_condition(category, condition, problem):
    assert (bases.special_condition_problem(category, condition) is not None) is problem
