"""Delegated staff in a study's health (compliance) and in a person's "my work": the rules as tables, and
against a real delegation log at site 101, kept by investigator Ida (trained, delegated and signed)."""

import datetime as dt

import pytest
from django.utils import translation

from trialdesk.core.extensions import AMBER, GREEN, RED, UNKNOWN
from trialdesk.people import rules
from trialdesk.people.health import read_delegation
from trialdesk.people.rules import TrainingFact as Fact
from trialdesk.people.tests.factories import delegate, keep_delegation_log, make_staff, train
from trialdesk.people.work import delegations_to_sign, own_training_due

D = dt.date
ON = D(2025, 7, 1)


@pytest.mark.parametrize(
    "entries, untrained, unsigned, colour, why",
    [
        (0, [], 0, UNKNOWN, "no delegation log kept in Trialdesk yet"),
        (3, [], 0, GREEN, "every delegated person's training is current"),
        (3, [], 1, AMBER, "1 delegation awaiting the investigator's signature"),
        (3, [], 2, AMBER, "2 delegations awaiting the investigator's signature"),
        (3, ["Nina"], 1, RED, "delegated staff without current training: Nina"),
        (9, ["D", "C", "B", "A"], 0, RED, "delegated staff without current training: A, B, C and 1 more"),
    ],
)
def test_delegation_health(entries, untrained, unsigned, colour, why):
    with translation.override("en"):  # the reason is in the reader's language (issue 20 §6)
        assert rules.delegation_health(entries=entries, untrained=untrained, unsigned=unsigned) == (
            colour,
            why,
        )


GCP_TO_2026 = Fact("gcp", D(2024, 1, 1), D(2026, 1, 1))
PROTOCOL_7 = Fact("protocol", D(2025, 2, 1), None, 7)


@pytest.mark.parametrize(
    "facts, needs_system, due",
    [
        ([GCP_TO_2026, PROTOCOL_7], False, []),
        ([GCP_TO_2026], False, [("not trained on protocol v2", ON, True)]),
        ([PROTOCOL_7], False, [("no GCP certificate", ON, True)]),
        (
            [Fact("gcp", D(2023, 1, 1), D(2025, 6, 30)), PROTOCOL_7],
            False,
            [("GCP certificate expired on 2025-06-30", ON, True)],
        ),
        (
            [Fact("gcp", D(2023, 1, 1), D(2025, 8, 30)), PROTOCOL_7],
            False,
            [("GCP certificate expires on 2025-08-30", D(2025, 8, 30), False)],
        ),
        ([Fact("gcp", D(2023, 1, 1), D(2025, 8, 31)), PROTOCOL_7], False, []),  # 61 days: not yet
        (
            [GCP_TO_2026, PROTOCOL_7, Fact("system", D(2024, 1, 1), D(2025, 7, 15))],
            True,
            [("system training expires on 2025-07-15", D(2025, 7, 15), False)],
        ),
        ([GCP_TO_2026, PROTOCOL_7, Fact("system", D(2024, 1, 1), D(2025, 7, 15))], False, []),
        ([GCP_TO_2026, PROTOCOL_7], True, [("no current system training", ON, True)]),
    ],
)
def test_training_due(facts, needs_system, due):
    found = rules.training_due(
        facts, on=ON, protocol_version_id=7, protocol_label="v2", needs_system=needs_system
    )
    assert [(d.what, d.due_on, d.missing) for d in found] == due


@pytest.fixture
def log_at_101(world):
    """Site 101 keeps its log: Ida the investigator, in force; returns her."""
    return keep_delegation_log(world.site_a1, protocol=world.protocol_a, by=world.admin)


def test_a_log_of_trained_people_reads_green_and_no_log_unknown(world, log_at_101, today):
    reading = read_delegation(world.crm, world.study_a, today)
    assert (reading.dimension, reading.colour) == ("compliance", GREEN)
    assert reading.url == f"/studies/{world.study_a.pk}/?tab=staff"
    assert read_delegation(world.coordinator, world.study_b, today).colour == UNKNOWN


def nina_whose_gcp_lapses(world, ida, today):
    """Nurse Nina, trained (GCP until 10 days from now) and delegated CRF entry, signed by Ida."""
    nina = make_staff(world.site_a1, "nurse_nina", by=world.admin)
    train(
        nina,
        world.site_a1,
        by=world.admin,
        protocol=world.protocol_a,
        gcp_until=today + dt.timedelta(days=10),
    )
    delegate(world.site_a1, nina, ["crf_entry"], by=world.admin, signer=ida)
    return nina


def trained_dan(world):
    dan = make_staff(world.site_a1, "data_dan", by=world.admin)
    train(dan, world.site_a1, by=world.admin, protocol=world.protocol_a)
    return dan


def test_a_delegated_person_whose_training_lapsed_makes_compliance_red(world, log_at_101, today, clock):
    nina_whose_gcp_lapses(world, log_at_101, today)
    assert read_delegation(world.crm, world.study_a, today).colour == GREEN
    clock.advance(dt.timedelta(days=20))
    later = clock.today(world.site_a1)
    for person in ("crm", "monitor", "sponsor_viewer"):  # staff are not subject-level: all see it
        reading = read_delegation(world.people[person], world.study_a, later)
        assert (reading.colour, reading.why) == (
            RED,
            "delegated staff without current training: Nurse Nina",
        ), person


def test_a_delegation_awaiting_signature_makes_compliance_amber(world, log_at_101, today):
    delegate(world.site_a1, trained_dan(world), ["crf_entry"], by=world.admin)
    reading = read_delegation(world.crm, world.study_a, today)
    assert (reading.colour, reading.why) == (AMBER, "1 delegation awaiting the investigator's signature")


def test_the_investigator_signs_the_delegations_waiting_at_her_site(world, log_at_101, today):
    dan = trained_dan(world)
    entry = delegate(world.site_a1, dan, ["crf_entry", "query_resolution"], by=world.admin)
    [item] = delegations_to_sign(log_at_101, today)
    assert item.kind == "delegation_signatures" and item.study_code == "ONC-A"
    assert item.title == "Sign the delegation to Data Dan at site 101: CRF / data entry, Resolve data queries"
    assert (item.due_on, item.overdue) == (today - dt.timedelta(days=5), True)  # it was to start 5 days ago
    assert item.url == f"/delegation-entries/{entry.pk}/sign/"
    for person in ("crm", "monitor", "coordinator"):
        assert delegations_to_sign(world.people[person], today) == [], person
    assert delegations_to_sign(dan, today) == []


def test_a_sub_investigator_signs_nothing(world, log_at_101, today):
    sub = make_staff(world.site_a1, "sub_sam", by=world.admin, role="investigator")
    train(sub, world.site_a1, by=world.admin, protocol=world.protocol_a)
    delegate(
        world.site_a1, sub, ["consent"], by=world.admin, signer=log_at_101, study_role="sub_investigator"
    )
    delegate(world.site_a1, trained_dan(world), ["crf_entry"], by=world.admin)
    assert delegations_to_sign(sub, today) == []
    assert len(delegations_to_sign(log_at_101, today)) == 1


def test_a_person_on_the_log_is_told_their_training_lapsed(world, log_at_101, today, clock):
    nina = nina_whose_gcp_lapses(world, log_at_101, today)
    expires = today + dt.timedelta(days=10)
    assert [(i.title, i.due_on, i.overdue) for i in own_training_due(nina, today)] == [
        (f"Your training: GCP certificate expires on {expires.isoformat()}", expires, False)
    ]
    clock.advance(dt.timedelta(days=20))
    later = clock.today(world.site_a1)
    [item] = own_training_due(nina, later)
    assert (item.title, item.due_on, item.overdue, item.study_code) == (
        f"Your training: GCP certificate expired on {expires.isoformat()}",
        later,
        True,
        "ONC-A",
    )
    assert item.url == f"/studies/{world.study_a.pk}/training-records/new/"


def test_site_staff_not_yet_trained_on_the_protocol_are_told(world, log_at_101, today):
    cora = make_staff(world.site_a1, "coordinator_cora", by=world.admin)  # on no log: a coordinator there
    assert [i.title for i in own_training_due(cora, today)] == [
        "Your training: no GCP certificate",
        "Your training: not trained on protocol v1.0",
    ]


def test_a_gcp_certificate_expiring_within_60_days_is_work_and_others_see_none_of_it(
    world, log_at_101, today
):
    nina = make_staff(world.site_a1, "nurse_nina", by=world.admin)
    train(
        nina,
        world.site_a1,
        by=world.admin,
        protocol=world.protocol_a,
        gcp_until=today + dt.timedelta(days=30),
    )
    [item] = own_training_due(nina, today)
    expires = today + dt.timedelta(days=30)
    assert (item.title, item.due_on, item.overdue) == (
        f"Your training: GCP certificate expires on {expires.isoformat()}",
        expires,
        False,
    )
    assert own_training_due(log_at_101, today) == []  # Ida is trained
    for person in ("crm", "monitor", "auditor", "sponsor_viewer", "outsider"):
        assert own_training_due(world.people[person], today) == [], person
