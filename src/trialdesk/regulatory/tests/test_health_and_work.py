"""Ethics approvals in a study's health (compliance) and in a CRM's "my work": lapsed and lapsing approvals
at the active sites, as tables for the rule and against real submissions for the signal and the source.

On 2025-07-01 both sites of study A enroll; site 101 (Berlin) is approved on 2025-01-15 by a committee
whose record says it reviews yearly, but under the EU Clinical Trials Regulation an authorisation has no
expiry, so site 101's approval never lapses.
"""

import datetime as dt

import pytest

from trialdesk.core.extensions import AMBER, GREEN, RED, UNKNOWN
from trialdesk.regulatory.health import read_approvals
from trialdesk.regulatory.rules import oversight
from trialdesk.regulatory.rules.oversight import ApprovalStanding as S
from trialdesk.regulatory.tests.factories import approve_at_site, make_committee
from trialdesk.regulatory.work import approvals_lapsing
from trialdesk.subjects.tests.factories import make_enrolling

D = dt.date


IN_FORCE_1 = "ethics approval in force at 1 active site"


@pytest.mark.parametrize(
    "standings, colour, why",
    [
        ([], UNKNOWN, "no active sites"),
        ([S("101", True, True, 200)], GREEN, IN_FORCE_1),
        ([S("101", True, True, None), S("102", True, True, 31)], GREEN,
         "ethics approval in force at 2 active sites"),
        ([S("101", True, True, 30)], AMBER, "ethics approval lapsing within 30 days at site 101"),
        ([S("101", True, True, 0), S("102", False, False)], AMBER,
         "ethics approval lapsing within 30 days at site 101; none recorded at site 102"),
        ([S("101", False, False), S("102", False, False)], AMBER,
         "ethics approval none recorded at sites 101, 102"),
        ([S("101", True, False, -3), S("102", True, True, 5)], RED,
         "ethics approval lapsed at site 101; lapsing within 30 days at site 102"),
        # An approval on record but not yet in force (its first is dated later) counts as lapsed.
        ([S("101", True, False)], RED, "ethics approval lapsed at site 101"),
    ],
)  # fmt: skip
def test_approvals_health(standings, colour, why):
    assert oversight.approvals_health(standings) == (colour, why)


@pytest.fixture
def enrolling(world, clock):
    clock.move_to("2025-07-01T10:00Z")
    make_enrolling(world.site_a1, by=world.admin)
    make_enrolling(world.site_a2, by=world.admin)
    committee = make_committee(by=world.admin)
    approve_at_site(world.site_a1, committee, by=world.admin)
    return committee


def lapsed_at_102(world, committee):
    """Site 102's approval of 2024-06-01, which its committee let run only to 2025-06-20."""
    approve_at_site(
        world.site_a2,
        committee,
        by=world.admin,
        submitted_on=D(2024, 5, 1),
        decided_on=D(2024, 6, 1),
        expires_on=D(2025, 6, 20),
    )


def test_an_active_site_without_an_approval_makes_compliance_amber(world, enrolling, clock):
    reading = read_approvals(world.crm, world.study_a, clock.today())
    assert (reading.dimension, reading.colour) == ("compliance", AMBER)
    assert reading.why == "ethics approval none recorded at site 102"
    assert reading.url == f"/studies/{world.study_a.pk}/?tab=regulatory"
    # Site 101's monitor sees only site 101, whose approval is in force.
    assert read_approvals(world.monitor, world.study_a, clock.today()).why == (
        "ethics approval in force at 1 active site"
    )


def test_a_lapsed_approval_makes_compliance_red(world, enrolling, clock, django_assert_max_num_queries):
    lapsed_at_102(world, enrolling)
    read_approvals(world.crm, world.study_a, clock.today())  # the reader's role facts, loaded once
    with django_assert_max_num_queries(2):
        reading = read_approvals(world.crm, world.study_a, clock.today())
    assert (reading.colour, reading.why) == (RED, "ethics approval lapsed at site 102")


def test_the_crm_renews_approvals_lapsing_within_60_days_and_those_lapsed(world, enrolling, clock):
    lapsed_at_102(world, enrolling)
    [lapsed] = approvals_lapsing(world.crm, clock.today())  # site 101's runs for 197 more days
    assert (lapsed.title, lapsed.overdue) == (
        "Ethics approval at site 102 (Tokyo Medical) lapsed after 2025-06-20: lapsed 11 days ago",
        True,
    )
    # Under the EU CTR site 101's approval has no expiry: it is never asked to be renewed, even 55 days
    # before the anniversary its committee's 12-month period would have given.
    clock.move_to("2025-11-20T10:00Z")
    items = sorted(approvals_lapsing(world.crm, clock.today()), key=lambda item: item.due_on)
    assert [(i.kind, i.study_code, i.due_on, i.overdue) for i in items] == [
        ("ethics_approvals", "ONC-A", D(2025, 6, 20), True),
    ]
    assert (
        items[0].title
        == "Ethics approval at site 102 (Tokyo Medical) lapsed after 2025-06-20: lapsed 153 days ago"
    )
    assert items[0].url == f"/studies/{world.study_a.pk}/submissions/new/"


def test_a_japanese_irb_approval_is_renewed_yearly(world, enrolling, clock):
    """J-GCP Art. 31: the IRB reviews at least once a year (rule shipped unverified)."""
    approve_at_site(world.site_a2, make_committee("Tokyo IRB", by=world.admin, country="JP"), by=world.admin)
    clock.move_to("2025-11-20T10:00Z")
    (item,) = approvals_lapsing(world.crm, clock.today())
    assert item.title == "Ethics approval at site 102 (Tokyo Medical) runs until 2026-01-14: 55 days left"


def test_only_the_studys_crm_is_asked_to_renew(world, enrolling, clock):
    clock.move_to("2025-11-20T10:00Z")
    for person in ("admin", "monitor", "auditor", "sponsor_viewer", "coordinator", "outsider"):
        assert approvals_lapsing(world.people[person], clock.today()) == [], person
