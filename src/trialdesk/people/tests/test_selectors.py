"""The reads other apps lean on cost a fixed number of queries, whatever the number of sites or staff."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from tests.factories import make_site
from trialdesk.core.roles import Role
from trialdesk.people import selectors, services
from trialdesk.people.tests.factories import PASSWORD, approve_protocol, delegate, make_staff, train
from trialdesk.studies import services as study_services


@pytest.fixture
def logs(world):
    """Five sites of study A, each with a PI and a coordinator on a signed log."""
    approve_protocol(world.protocol_a, by=world.admin)
    sites = [world.site_a1, world.site_a2] + [
        make_site(world.study_a, f"10{n}", by=world.admin) for n in (3, 4, 5)
    ]
    for site in sites:
        pi = make_staff(site, f"pi_{site.site_number}", by=world.admin, role=Role.INVESTIGATOR)
        crc = make_staff(site, f"crc_{site.site_number}", by=world.admin)
        for person in (pi, crc):
            train(person, site, by=world.crm, protocol=world.protocol_a)
            delegate(site, person, ["consent"], by=world.crm, signer=pi)
    return sites


def test_protocol_training_gaps_costs_four_queries_for_any_number_of_sites(
    world, logs, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        gaps = selectors.protocol_training_gaps([site.pk for site in logs], world.protocol_a)
    assert gaps == {site.pk: [] for site in logs}


def test_may_perform_costs_at_most_four_queries(world, logs, django_assert_max_num_queries, today):
    crc = logs[0].role_assignments.get(role=Role.COORDINATOR).user
    with django_assert_max_num_queries(4):
        assert selectors.may_perform(crc, logs[0], "consent", on=today)


def test_delegation_logs_query_count_does_not_grow_with_sites(world, logs, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        found = selectors.delegation_logs(world.crm, world.study_a)
    assert sum(len(log.rows) for log in found) == 10


def test_the_monitor_sees_only_the_log_of_their_site(world, logs):
    found = selectors.delegation_logs(world.monitor, world.study_a)
    assert [log.site for log in found] == [world.site_a1]
    assert selectors.delegation_logs(world.coordinator, world.study_a) == []


def test_a_sub_investigator_may_not_sign_the_log(world, logs):
    site = logs[0]
    sub_i = make_staff(site, "sub_sara", by=world.admin, role=Role.INVESTIGATOR)
    train(sub_i, site, by=world.crm, protocol=world.protocol_a)
    pi = site.role_assignments.filter(role=Role.INVESTIGATOR).order_by("id").first().user
    delegate(site, sub_i, ["eligibility"], by=world.crm, signer=pi, study_role="sub_investigator")
    entry = delegate(site, sub_i, ["ae_assessment"], by=world.crm, study_role="sub_investigator")
    with pytest.raises(PermissionDenied):
        services.sign_delegation(entry=entry, password=PASSWORD, by=sub_i)
    assert services.sign_delegation(entry=entry, password=PASSWORD, by=pi).signed_by == pi


def test_an_ended_delegation_no_longer_counts_on_the_log(world, logs, today):
    site = logs[1]
    crc = site.role_assignments.get(role=Role.COORDINATOR).user
    entry = site.delegation_entries.get(staff_member=crc)
    services.end_delegation(entry=entry, ends_on=today - dt.timedelta(days=1), by=world.crm, reason="left")
    amendment = approve_protocol(
        study_services.create_protocol_version(
            study=world.study_a, number="2.0", version_date=dt.date(2025, 6, 1), by=world.admin
        ),
        by=world.admin,
    )
    gaps = selectors.protocol_training_gaps([site.pk], amendment)
    assert [u.username for u in gaps[site.pk]] == [f"pi_{site.site_number}"]
