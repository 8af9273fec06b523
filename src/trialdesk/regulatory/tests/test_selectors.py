"""Regulatory reads: approvals in force per site, activation checklists and amendment status in a fixed
number of queries, and who sees which submissions."""

import datetime as dt
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from tests.factories import make_site
from trialdesk.core import extensions
from trialdesk.regulatory import country_rules, selectors, services
from trialdesk.regulatory.tests.factories import approve_at_site, make_approved_amendment, make_committee
from trialdesk.sites.models import StudySite
from trialdesk.subjects.tests.factories import make_enrolled, make_study_ready


def test_amendment_status_and_activation_checklists_take_a_fixed_number_of_queries(
    world, django_assert_max_num_queries
):
    old = make_study_ready(world.study_a, [world.site_a1, world.site_a2], by=world.admin)
    make_enrolled(world.site_a1, "S-1", by=world.admin, version=old)
    implementation = services.start_amendment(
        make_approved_amendment(world.study_a, by=world.admin), world.crm
    )
    committee = make_committee(by=world.admin)
    for n in range(10):
        site = make_site(world.study_a, str(200 + n), by=world.admin)
        approve_at_site(site, committee, by=world.admin)
    sites = list(selectors.affected_sites(world.study_a))
    assert len(sites) == 12
    # Items other apps add (core.extensions.amendment_checklist_items, e.g. finance's fee schedule) each
    # take a fixed number of queries too, whatever the number of sites.
    contributed = 3 * len(extensions.amendment_checklist_items)
    with django_assert_max_num_queries(15 + contributed):
        statuses = selectors.amendment_status(implementation, sites)
    assert len(statuses) == 12
    with django_assert_max_num_queries(2):
        checklists = selectors.activation_checklists(sites)
    assert set(checklists) == {s.pk for s in sites}


def test_approval_board_shows_only_the_users_sites_with_their_countdown(world):
    committee = make_committee(by=world.admin)
    approve_at_site(world.site_a1, committee, by=world.admin, expires_on=dt.date(2099, 1, 1))
    board = selectors.approval_board(world.monitor, world.study_a)
    assert [b.site.site_number for b in board] == ["101"]
    assert board[0].days_left > 0 and board[0].block is None
    crm_board = {b.site.site_number: b for b in selectors.approval_board(world.crm, world.study_a)}
    assert crm_board["102"].approval is None and crm_board["102"].countdown == "no approval recorded"


def test_a_study_wide_submission_is_seen_by_site_staff_of_the_study(world):
    committee = make_committee(by=world.admin)
    services.create_submission(
        study=world.study_b,
        ethics_committee=committee,
        kind="safety_report",
        submitted_on=dt.date(2025, 2, 1),
        by=world.admin,
    )
    approve_at_site(world.site_b1, committee, by=world.admin)
    other = make_site(world.study_b, "202", by=world.admin)
    approve_at_site(other, committee, by=world.admin)
    seen = selectors.submissions_for(world.coordinator, world.study_b)
    assert sorted((s.study_site.site_number if s.study_site else "study") for s in seen) == ["201", "study"]


def test_sponsor_viewers_see_no_sites_participants(world):
    assert selectors.sites_with_participants_visible(world.sponsor_viewer, world.study_a) == set()
    assert selectors.sites_with_participants_visible(world.monitor, world.study_a) == {world.site_a1.pk}
    every = set(StudySite.objects.filter(study=world.study_a).values_list("pk", flat=True))
    assert selectors.sites_with_participants_visible(world.auditor, world.study_a) == every


@given(
    st.lists(
        st.tuples(
            st.integers(1, 2), st.one_of(st.none(), st.integers(1, 4)), st.sampled_from(["", "DE", "JP"])
        ),
        max_size=12,
    )
)
def test_covering_finds_exactly_the_pairs_a_submission_applies_to(raw):
    """The indexed look-up gives what comparing every submission with every site would."""
    sites = [
        SimpleNamespace(pk=pk, study_id=1 if pk <= 2 else 2, institution=SimpleNamespace(country=country))
        for pk, country in ((1, "DE"), (2, "JP"), (3, "DE"), (4, "JP"))
    ]
    submissions = [
        SimpleNamespace(study_id=study_id, study_site_id=site_id, country=country)
        for study_id, site_id, country in raw
    ]
    found = selectors._covering(submissions, sites)
    for site in sites:
        expected = [s for s in submissions if selectors._covers(s, site)]
        assert sorted(map(id, found.get(site.pk, []))) == sorted(map(id, expected))


def test_authorities_come_back_from_the_shipped_file_after_a_wipe_through_the_service_only(db):
    from trialdesk.regulatory.models import RegulatoryAuthority

    assert {"FDA", "EMA", "PMDA"} <= set(selectors.authorities().values_list("code", flat=True))  # migration
    RegulatoryAuthority.objects.all().delete()  # as `trialdesk demo --reset` does
    assert not selectors.authorities().exists()  # a read never writes
    assert services.load_shipped_authorities() == len(country_rules.authorities())
    assert {"FDA", "EMA", "PMDA"} <= set(selectors.authorities().values_list("code", flat=True))
