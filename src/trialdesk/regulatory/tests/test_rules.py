"""Regulatory rules as tables: continuing review, countdowns, submissions, enrollment blocks, checklists."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.regulatory import country_rules
from trialdesk.regulatory.rules import checklists, oversight
from trialdesk.regulatory.rules.checklists import (
    BLOCKED,
    DONE,
    NOT_REQUIRED,
    PENDING,
    UNKNOWN,
    SiteAmendmentFacts,
)

D = dt.date


# --- continuing review ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("approved_on", "months", "due_on"),
    [
        (D(2025, 1, 15), 12, D(2026, 1, 14)),  # OHRP's example: one year minus one day
        (D(2025, 3, 1), 12, D(2026, 2, 28)),
        (D(2024, 2, 29), 12, D(2025, 2, 27)),  # a leap day: 28 Feb is the anniversary, the day before is due
        (D(2025, 8, 31), 6, D(2026, 2, 27)),  # six-monthly (Brazil's CEP reports): 28 Feb minus one day
        (D(2025, 11, 30), 3, D(2026, 2, 27)),
        (D(2025, 6, 10), None, None),  # no periodic review (EU CTR)
        (D(2025, 6, 10), 0, None),
    ],
)
def test_continuing_review_due_on_is_approval_plus_period_minus_one_day(approved_on, months, due_on):
    assert oversight.continuing_review_due_on(approved_on=approved_on, period_months=months) == due_on


@pytest.mark.parametrize(
    ("expires_on", "months", "valid_until"),
    [
        (D(2025, 12, 31), 12, D(2025, 12, 31)),  # the committee's stated expiry wins
        (None, 12, D(2026, 1, 14)),
        (None, None, None),
    ],
)
def test_approval_runs_to_its_stated_expiry_else_the_committees_period(expires_on, months, valid_until):
    found = oversight.approval_valid_until(
        approved_on=D(2025, 1, 15), expires_on=expires_on, period_months=months
    )
    assert found == valid_until


@pytest.mark.parametrize(
    ("due_on", "today", "days", "text"),
    [
        (D(2026, 1, 14), D(2026, 1, 4), 10, "10 days left"),
        (D(2026, 1, 14), D(2026, 1, 13), 1, "1 day left"),
        (D(2026, 1, 14), D(2026, 1, 14), 0, "last day today"),
        (D(2026, 1, 14), D(2026, 1, 15), -1, "lapsed 1 day ago"),
        (D(2026, 1, 14), D(2026, 1, 24), -10, "lapsed 10 days ago"),
        (None, D(2026, 1, 24), None, "no expiry"),
    ],
)
def test_countdown(due_on, today, days, text):
    left = oversight.days_left(due_on=due_on, today=today)
    assert (left, oversight.countdown(left)) == (days, text)


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 31)), st.integers(min_value=1, max_value=60))
def test_continuing_review_is_due_within_the_period_and_never_before_approval(approved_on, months):
    due = oversight.continuing_review_due_on(approved_on=approved_on, period_months=months)
    assert approved_on <= due < oversight.add_months(approved_on, months)
    assert (oversight.add_months(approved_on, months) - due).days == 1


# --- submissions and their decisions ---------------------------------------------------------

BASE = dict(
    kind="initial",
    to_committee=True,
    to_authority=False,
    has_protocol_version=False,
    submitted_on=D(2025, 3, 1),
    outcome="",
    decided_on=None,
    expires_on=None,
)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({}, None),
        ({"outcome": "approved", "decided_on": D(2025, 3, 20), "expires_on": D(2026, 3, 19)}, None),
        ({"outcome": "approved", "decided_on": D(2025, 2, 20)}, "decided_on"),  # approval before submission
        ({"outcome": "approved", "decided_on": D(2025, 3, 20), "expires_on": D(2025, 3, 1)}, "expires_on"),
        ({"outcome": "approved", "decided_on": D(2025, 3, 20), "expires_on": D(2025, 3, 20)}, "expires_on"),
        ({"outcome": "rejected", "decided_on": D(2025, 3, 20), "expires_on": D(2026, 3, 1)}, "expires_on"),
        ({"outcome": "approved"}, "decided_on"),  # an outcome needs its date
        ({"decided_on": D(2025, 3, 20)}, "outcome"),  # a date needs its outcome
        ({"to_committee": False}, "ethics_committee"),  # to nobody
        ({"to_authority": True}, "authority"),  # to both
        ({"kind": "amendment"}, "protocol_version"),
        ({"kind": "amendment", "has_protocol_version": True}, None),
        ({"today": D(2025, 2, 28)}, "submitted_on"),  # in the future
        ({"outcome": "approved", "decided_on": D(2025, 3, 20), "today": D(2025, 3, 10)}, "decided_on"),
    ],
)
def test_submission_problems_name_the_field(changes, field):
    problems = dict(oversight.submission_problems(**{**BASE, **changes}))
    assert list(problems) == ([field] if field else [])


def test_an_approval_dated_before_its_submission_says_so():
    problems = dict(
        oversight.submission_problems(**{**BASE, "outcome": "approved", "decided_on": D(2025, 2, 1)})
    )
    assert problems["decided_on"] == "The approval is dated before its submission (2025-03-01)."


# --- enrollment blocked by a lapsed approval --------------------------------------------------

A = oversight.EthicsApproval


@pytest.mark.parametrize(
    ("approvals", "on", "blocked"),
    [
        ([], D(2026, 6, 1), False),  # no approvals kept in Trialdesk yet: not blocked
        ([A(D(2025, 1, 15), D(2026, 1, 14))], D(2026, 1, 14), False),  # the last day
        ([A(D(2025, 1, 15), D(2026, 1, 14))], D(2026, 1, 15), True),  # lapsed
        (
            [A(D(2025, 1, 15), D(2026, 1, 14)), A(D(2026, 1, 10), D(2027, 1, 9))],
            D(2026, 1, 15),
            False,
        ),  # renewed
        ([A(D(2025, 1, 15), None)], D(2030, 1, 1), False),  # no expiry
        ([A(D(2025, 1, 15), None)], D(2025, 1, 14), True),  # before the first approval
        # the renewal is what counts from its date, even when shorter
        ([A(D(2025, 1, 15), D(2027, 1, 14)), A(D(2025, 6, 1), D(2025, 12, 31))], D(2026, 1, 5), True),
    ],
)
def test_enrollment_block(approvals, on, blocked):
    assert (oversight.enrollment_block_reason(approvals, on=on) is not None) is blocked


def test_lapsed_approval_reason_names_the_last_day():
    reason = oversight.enrollment_block_reason([A(D(2025, 1, 15), D(2026, 1, 14))], on=D(2026, 2, 1))
    assert "lapsed after 2026-01-14" in reason


@given(
    st.lists(
        st.tuples(st.dates(D(2020, 1, 1), D(2030, 1, 1)), st.one_of(st.none(), st.integers(0, 800))),
        max_size=5,
    ),
    st.dates(D(2020, 1, 1), D(2032, 1, 1)),
)
def test_enrollment_is_never_blocked_under_an_approval_in_force_that_day(raw, on):
    approvals = [A(start, None if days is None else start + dt.timedelta(days=days)) for start, days in raw]
    current = oversight.approval_in_force(approvals, on=on)
    in_force = current is not None and (current.valid_until is None or current.valid_until >= on)
    blocked = oversight.enrollment_block_reason(approvals, on=on) is not None
    assert blocked is (bool(approvals) and not in_force)


@pytest.mark.parametrize(
    ("approved_on", "used_on", "allowed"),
    [
        (None, D(2025, 5, 1), False),
        (D(2025, 5, 2), D(2025, 5, 1), False),
        (D(2025, 5, 1), D(2025, 5, 1), True),
    ],
)
def test_new_version_is_used_only_from_the_sites_ethics_approval(approved_on, used_on, allowed):
    problem = oversight.new_version_use_problem(
        ethics_approved_on=approved_on, used_on=used_on, version="3.0", what="its consent version"
    )
    assert (problem is None) is allowed


# --- amendment checklist ----------------------------------------------------------------------


def states(facts: SiteAmendmentFacts) -> dict[str, str]:
    return {i.item: i.state for i in checklists.amendment_checklist(facts)}


SUBMITTED = D(2025, 5, 1)
APPROVED_ON = D(2025, 5, 20)


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        # nothing done yet, EU site (authority needed), 3 participants on the old consent
        (
            SiteAmendmentFacts(authority_required=True, reconsent_pending=3, training_gaps=2),
            dict(
                ec_submission=PENDING,
                authority_submission=PENDING,
                ec_approval=BLOCKED,
                authority_approval=NOT_REQUIRED,
                consent_approval=BLOCKED,
                reconsent=BLOCKED,
                retraining=PENDING,
                documents=DONE,
                schedule=NOT_REQUIRED,
            ),
        ),
        # submitted, waiting for the committee; Australia: no authority submission for amendments
        (
            SiteAmendmentFacts(ec_submitted_on=SUBMITTED, reconsent_pending=3),
            dict(
                ec_submission=DONE,
                authority_submission=NOT_REQUIRED,
                ec_approval=PENDING,
                authority_approval=NOT_REQUIRED,
                consent_approval=BLOCKED,
                reconsent=BLOCKED,
                retraining=DONE,
                documents=DONE,
                schedule=NOT_REQUIRED,
            ),
        ),
        # approved; the consent is next; the schedule may now be applied
        (
            SiteAmendmentFacts(
                ec_submitted_on=SUBMITTED,
                ec_approved_on=APPROVED_ON,
                reconsent_pending=3,
                changes_schedule=True,
            ),
            dict(
                ec_submission=DONE,
                authority_submission=NOT_REQUIRED,
                ec_approval=DONE,
                authority_approval=NOT_REQUIRED,
                consent_approval=PENDING,
                reconsent=BLOCKED,
                retraining=DONE,
                documents=DONE,
                schedule=PENDING,
            ),
        ),
        # consent approved: re-consent under way; unknown training (people app not there)
        (
            SiteAmendmentFacts(
                ec_approved_on=APPROVED_ON,
                consent_approved_on=APPROVED_ON,
                reconsent_pending=2,
                training_gaps=None,
            ),
            dict(
                ec_submission=DONE,
                authority_submission=NOT_REQUIRED,
                ec_approval=DONE,
                authority_approval=NOT_REQUIRED,
                consent_approval=DONE,
                reconsent=PENDING,
                retraining=UNKNOWN,
                documents=DONE,
                schedule=NOT_REQUIRED,
            ),
        ),
        # everyone re-consented
        (
            SiteAmendmentFacts(ec_approved_on=APPROVED_ON, consent_approved_on=APPROVED_ON),
            dict(
                ec_submission=DONE,
                authority_submission=NOT_REQUIRED,
                ec_approval=DONE,
                authority_approval=NOT_REQUIRED,
                consent_approval=DONE,
                reconsent=DONE,
                retraining=DONE,
                documents=DONE,
                schedule=NOT_REQUIRED,
            ),
        ),
        # an amendment that keeps the consent form and changes the schedule, not yet approved
        (
            SiteAmendmentFacts(changes_consent=False, changes_schedule=True, outstanding_documents=2),
            dict(
                ec_submission=PENDING,
                authority_submission=NOT_REQUIRED,
                ec_approval=BLOCKED,
                authority_approval=NOT_REQUIRED,
                consent_approval=NOT_REQUIRED,
                reconsent=NOT_REQUIRED,
                retraining=DONE,
                documents=PENDING,
                schedule=BLOCKED,
            ),
        ),
    ],
)
def test_amendment_checklist(facts, expected):
    assert states(facts) == expected


def test_checklist_items_come_in_a_fixed_order():
    assert [i.item for i in checklists.amendment_checklist(SiteAmendmentFacts())] == [
        k for k, _ in checklists.ITEMS
    ]


@given(
    st.builds(
        SiteAmendmentFacts,
        ec_submitted_on=st.one_of(st.none(), st.just(SUBMITTED)),
        authority_required=st.booleans(),
        ec_approved_on=st.one_of(st.none(), st.just(APPROVED_ON)),
        changes_consent=st.booleans(),
        consent_approved_on=st.one_of(st.none(), st.just(APPROVED_ON)),
        reconsent_pending=st.integers(0, 5),
        changes_schedule=st.booleans(),
        schedule_applied_on=st.one_of(st.none(), st.just(APPROVED_ON)),
    )
)
def test_nothing_using_the_new_version_is_pending_before_ethics_approval(facts):
    found = states(facts)
    if facts.ec_approved_on is None:
        assert found["ec_approval"] != DONE
        assert found["schedule"] in (BLOCKED, NOT_REQUIRED, DONE)
        if not facts.consent_approved_on:
            assert found["consent_approval"] in (BLOCKED, NOT_REQUIRED)
            assert found["reconsent"] in (BLOCKED, NOT_REQUIRED)
    done, applicable = checklists.checklist_progress(checklists.amendment_checklist(facts))
    assert 0 <= done <= applicable <= len(checklists.ITEMS)


# --- activation checklist ---------------------------------------------------------------------


def test_activation_checklist_follows_the_country_rules():
    us = country_rules.rules_for("US")
    items = checklists.activation_checklist(
        country_submissions=us.get("activation_submissions"),
        country_name="United States",
        ethics_approved_on=D(2025, 3, 1),
        authority_approved_on=None,
        consent_approved=True,
        principal_investigator="Dr PI",
    )
    by_label = {i.label: i.state for i in items}
    assert by_label["IRB approval of the protocol and consent form"] == DONE
    assert by_label["IND in effect (30 days after FDA receipt, or earlier notice)"] == PENDING
    assert by_label["Form FDA 1572 signed by the investigator"] == PENDING
    assert by_label["Financial disclosure of investigators collected"] == checklists.TO_CHECK
    assert all(i.citation for i in items)


def test_a_country_without_rules_is_flagged_for_checking():
    items = checklists.activation_checklist(
        country_submissions=[],
        country_name="Iceland",
        ethics_approved_on=None,
        authority_approved_on=None,
        consent_approved=False,
        principal_investigator="",
    )
    assert [i.state for i in items] == [PENDING, PENDING, checklists.TO_CHECK]


# --- country rules shipped as data ------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "jurisdiction"),
    [("US", "US"), ("DE", "EU"), ("FR", "EU"), ("GB", "GB"), ("CA", "CA"), ("JP", "JP"), ("IN", "IN")]
    + [("AU", "AU"), ("BR", "BR"), ("CN", "CN"), ("CH", None)],
)
def test_each_country_finds_its_rules(country, jurisdiction):
    found = country_rules.rules_for(country)
    assert (found.code if found else None) == jurisdiction


def test_every_rule_carries_a_citation():
    for found in country_rules.all_rules():
        raw = found.raw
        assert raw["ethics"]["citation"] and raw["data_protection"]["citation"], found.code
        for key in ("activation_submissions", "review_timelines", "consent_specifics", "safety_reporting"):
            for entry in raw[key]:
                assert entry["citation"], (found.code, key, entry)
        assert raw["authorities"] and raw["safety_reporting"], found.code


def test_eu_ctr_timelines_and_india_audio_visual_consent_are_in_the_data():
    eu = country_rules.rules_for("DE").raw
    days = {t["citation"]: t["days"] for t in eu["review_timelines"]}
    assert days["Regulation (EU) No 536/2014, Art. 6(4)"] == 45
    assert days["Regulation (EU) No 536/2014, Art. 7(2)"] == 45
    india = country_rules.rules_for("IN").raw
    assert any("udio-visual" in c["text"] for c in india["consent_specifics"])
    assert country_rules.rules_for("US").raw["data_protection"]["regime"].startswith("HIPAA")
    assert eu["data_protection"]["regime"] == "GDPR"


def test_every_authority_named_by_a_country_is_shipped():
    codes = {a["code"] for a in country_rules.authorities()}
    for found in country_rules.all_rules():
        assert set(found.raw["authorities"]) <= codes
