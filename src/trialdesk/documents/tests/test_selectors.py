"""Reads of the documents app: the contract outstanding_site_documents, expected lists, completeness."""

import datetime as dt

from trialdesk.core.roles import Role
from trialdesk.documents import selectors
from trialdesk.documents.rules import expectations
from trialdesk.documents.tests.factories import approve, file_pdf, make_staff
from trialdesk.studies import services as study_services


def test_outstanding_site_documents_lists_missing_version_documents_per_site(world):
    approve(world.protocol_a, by=world.admin)
    answer = selectors.outstanding_site_documents([world.site_a1.pk, world.site_a2.pk], "1.0")
    assert set(answer) == {world.site_a1.pk, world.site_a2.pk}
    assert "Ethics approval (protocol v1.0)" in answer[world.site_a1.pk]
    assert "Protocol signature page (v1.0)" in answer[world.site_a1.pk]
    assert "Approved informed consent form" in answer[world.site_a2.pk]


def test_outstanding_site_documents_drops_what_is_filed_and_in_date(world):
    version = approve(world.protocol_a, by=world.admin)
    file_pdf(
        world.study_a,
        by=world.admin,
        artifact_number="04.01.02",
        study_site=world.site_a1,
        protocol_version=version,
    )
    answer = selectors.outstanding_site_documents([world.site_a1.pk, world.site_a2.pk], version)
    assert "Ethics approval (protocol v1.0)" not in answer[world.site_a1.pk]
    assert "Ethics approval (protocol v1.0)" in answer[world.site_a2.pk]


def test_outstanding_site_documents_for_a_new_amendment_asks_for_its_signature_page(world):
    approve(world.protocol_a, by=world.admin)
    amendment = study_services.create_protocol_version(
        study=world.study_a,
        number="2.0",
        version_date=dt.date(2025, 6, 1),
        amendment_number=1,
        by=world.admin,
    )
    answer = selectors.outstanding_site_documents([world.site_a1.pk], amendment)
    assert "Ethics approval (protocol v2.0)" in answer[world.site_a1.pk]
    assert "Protocol signature page (v2.0)" in answer[world.site_a1.pk]
    assert "Ethics approval (protocol v1.0)" not in answer[world.site_a1.pk]


def test_outstanding_site_documents_counts_an_expired_document_as_outstanding(world, clock):
    clock.move_to("2026-01-01T12:00Z")
    investigator = make_staff(world.site_a1, "inv", Role.INVESTIGATOR, by=world.admin)
    file_pdf(
        world.study_a,
        by=world.admin,
        artifact_number="05.03.03",
        study_site=world.site_a1,
        person=investigator,
        expires_on=dt.date(2025, 12, 31),
    )
    answer = selectors.outstanding_site_documents([world.site_a1.pk], "1.0")
    assert "GCP certificate: Inv" in answer[world.site_a1.pk]


def test_expected_documents_for_site_staff_show_only_their_sites(world):
    approve(world.protocol_a, by=world.admin)
    rows = selectors.expected_documents_for(world.monitor, world.study_a)
    assert {r.expected.study_site_id for r in rows if r.expected.level == expectations.SITE} == {
        world.site_a1.pk
    }
    assert {r.expected.level for r in rows} == {"trial", "country", "site"}


def test_completeness_counts_present_against_expected(world):
    version = approve(world.protocol_a, by=world.admin)
    file_pdf(
        world.study_a,
        by=world.admin,
        artifact_number="04.01.02",
        study_site=world.site_a1,
        protocol_version=version,
    )
    summary = selectors.completeness(selectors.expected_documents_for(world.crm, world.study_a))
    whole = summary[0]
    assert whole.label == "Whole study" and whole.on_file == 1 and whole.expected > 10
    site_rows = {c.study_site_id: c for c in summary if c.level == "site"}
    assert site_rows[world.site_a1.pk].on_file == 1
    assert site_rows[world.site_a2.pk].on_file == 0
