"""Essential documents in a study's health (compliance) and in a CRM's "my work": the rule as a table,
the signal over the expected list each reader sees, and the documents of the CRM's studies to renew."""

import datetime as dt

import pytest

from trialdesk.core.extensions import AMBER, GREEN, RED, UNKNOWN
from trialdesk.core.roles import Role
from trialdesk.documents.health import read_documents
from trialdesk.documents.rules import filing
from trialdesk.documents.tests.factories import file_pdf, make_staff
from trialdesk.documents.work import documents_expiring

D = dt.date


@pytest.mark.parametrize(
    "expected, missing, expired, expiring, colour, why",
    [
        (0, 0, 0, 0, UNKNOWN, "no essential documents expected yet"),
        (40, 0, 0, 0, GREEN, "all 40 expected documents on file and in date"),
        (40, 0, 0, 2, AMBER, "2 expiring of 40 expected documents"),
        (40, 8, 0, 0, AMBER, "8 missing of 40 expected documents"),  # 20%: not more than the limit
        (40, 9, 0, 1, RED, "9 missing, 1 expiring of 40 expected documents"),
        (40, 0, 1, 0, RED, "1 expired of 40 expected documents"),
    ],
)
def test_documents_health(expected, missing, expired, expiring, colour, why):
    assert filing.documents_health(
        expected=expected, missing=missing, expired=expired, expiring=expiring
    ) == (
        colour,
        why,
    )


def test_each_reader_reads_the_expected_list_they_see(world, clock):
    clock.move_to("2025-07-01T12:00Z")
    crm = read_documents(world.crm, world.study_a, clock.today())
    monitor = read_documents(world.monitor, world.study_a, clock.today())  # site 101 and its country only
    assert (crm.dimension, crm.colour, crm.url) == (
        "compliance",
        RED,
        f"/studies/{world.study_a.pk}/?tab=documents",
    )
    assert crm.why == "11 missing of 11 expected documents"
    assert monitor.why == "8 missing of 8 expected documents"


@pytest.fixture
def certificates(world, clock):
    """Two investigators' GCP certificates at site 101 on 2025-07-01: one expires in 30 days, one expired."""
    clock.move_to("2025-07-01T12:00Z")
    ines = make_staff(world.site_a1, "ines", Role.INVESTIGATOR, by=world.admin)
    otto = make_staff(world.site_a1, "oskar", Role.INVESTIGATOR, by=world.admin)
    expiring = file_pdf(
        world.study_a, by=world.admin, artifact_number="05.03.03", study_site=world.site_a1,
        person=ines, text="ines", expires_on=D(2025, 7, 31),
    )  # fmt: skip
    expired = file_pdf(
        world.study_a, by=world.admin, artifact_number="05.03.03", study_site=world.site_a1,
        person=otto, text="oskar", expires_on=D(2025, 6, 30),
    )  # fmt: skip
    return expiring, expired


def test_the_crm_renews_documents_expiring_within_the_warning_period_and_those_expired(
    world, certificates, clock
):
    expiring, expired = certificates
    items = sorted(documents_expiring(world.crm, clock.today()), key=lambda item: item.due_on)
    assert [(i.kind, i.title, i.due_on, i.overdue, i.study_code) for i in items] == [
        (
            "essential_documents",
            "GCP certificate: Oskar (site 101) expired on 2025-06-30: file the renewed version",
            D(2025, 6, 30),
            True,
            "ONC-A",
        ),
        (
            "essential_documents",
            "GCP certificate: Ines (site 101) expires on 2025-07-31: file the renewed version",
            D(2025, 7, 31),
            False,
            "ONC-A",
        ),
    ]
    assert items[0].url == f"/documents/{expired.pk}/versions/new/"
    for person in ("admin", "monitor", "auditor", "sponsor_viewer", "coordinator", "outsider"):
        assert documents_expiring(world.people[person], clock.today()) == [], person


def test_a_renewal_filed_in_the_same_slot_takes_the_document_off_the_list(world, certificates, clock):
    _, expired = certificates
    file_pdf(
        world.study_a, by=world.admin, artifact_number="05.03.03", study_site=world.site_a1,
        person=expired.person, text="oskar renewed", expires_on=D(2027, 6, 30),
    )  # fmt: skip
    assert [i.due_on for i in documents_expiring(world.crm, clock.today())] == [D(2025, 7, 31)]


def test_expired_documents_make_compliance_red(world, certificates, clock):
    reading = read_documents(world.crm, world.study_a, clock.today())
    assert reading.colour == RED and "1 expired, 1 expiring of" in reading.why


def test_the_work_takes_four_queries_whatever_the_number_of_studies(
    world, certificates, clock, django_assert_max_num_queries
):
    documents_expiring(world.crm, clock.today())  # the reader's role facts, loaded once
    with django_assert_max_num_queries(4):
        assert len(documents_expiring(world.crm, clock.today())) == 2
