"""Regulatory pages: the committee directory, the Regulatory and Amendments tabs, and their forms."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.writes import nothing_written
from trialdesk.regulatory import services
from trialdesk.regulatory.models import AmendmentImplementation, EthicsCommittee, Submission
from trialdesk.regulatory.tests.factories import approve_at_site, make_approved_amendment, make_committee
from trialdesk.subjects.tests.factories import make_enrolled, make_study_ready


@pytest.fixture
def committee(world):
    return make_committee(by=world.admin)


def test_committee_directory_lists_committees_with_their_policy(world, client_for, committee):
    page = client_for(world.coordinator).get("/ethics-committees/")
    body = page.content.decode()
    assert page.status_code == 200 and "Ethik-Kommission Berlin" in body and "every 12 months" in body
    assert "New committee" not in body  # site staff read the directory only


def test_the_crm_adds_a_committee_through_the_form(world, client_for):
    response = client_for(world.crm).post(
        "/ethics-committees/new/",
        {"name": "Research Ethics Committee London", "country": "GB", "committee_type": "local_ec"},
    )
    assert response.status_code == 302
    assert EthicsCommittee.objects.get().country == "GB"


def test_the_committee_form_names_a_bad_country(world, client_for):
    with nothing_written():
        response = client_for(world.crm).post(
            "/ethics-committees/new/", {"name": "X", "country": "QQ", "committee_type": "local_ec"}
        )
    assert response.status_code == 200 and list(response.context["form"].errors) == ["country"]


def test_regulatory_tab_shows_approvals_countdown_submissions_and_activation(world, client_for, committee):
    approve_at_site(world.site_a1, committee, by=world.admin, expires_on=dt.date(2099, 1, 1))
    body = client_for(world.crm).get(f"/studies/{world.study_a.pk}/?tab=regulatory").content.decode()
    assert "days left" in body and "Ethik-Kommission Berlin" in body
    assert "CTIS application Part I" in body  # Germany: the EU rules
    assert "Clinical trial notification" in body  # Tokyo: the Japanese rules
    assert "GDPR" in body and "APPI" in body


def test_submission_form_refuses_an_approval_before_its_submission_naming_the_field(
    world, client_for, committee
):
    response = client_for(world.crm).post(
        f"/studies/{world.study_a.pk}/submissions/new/",
        {
            "study_site": world.site_a1.pk,
            "ethics_committee": committee.pk,
            "kind": "initial",
            "submitted_on": "2025-03-01",
            "outcome": "approved",
            "decided_on": "2025-02-01",
        },
    )
    assert response.status_code == 200
    assert "before its submission" in str(response.context["form"].errors["decided_on"])
    assert not Submission.objects.exists()


def test_decision_form_records_the_approval(world, client_for, committee):
    submission = services.create_submission(
        study=world.study_a,
        study_site=world.site_a1,
        ethics_committee=committee,
        kind="initial",
        submitted_on=dt.date(2025, 1, 10),
        by=world.crm,
    )
    response = client_for(world.crm).post(
        f"/submissions/{submission.pk}/decision/",
        {"outcome": "approved", "decided_on": "2025-01-20", "version": 1, "reason": "letter received"},
    )
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.outcome == "approved" and submission.decided_on == dt.date(2025, 1, 20)


def test_amendments_tab_answers_which_sites_lack_approval_and_who_must_reconsent(
    world, client_for, committee
):
    old = make_study_ready(world.study_a, [world.site_a1, world.site_a2], by=world.admin)
    make_enrolled(world.site_a1, "S-1", by=world.admin, version=old)
    make_enrolled(world.site_a2, "S-2", by=world.admin, version=old)
    version = make_approved_amendment(world.study_a, by=world.admin)
    crm = client_for(world.crm)
    tab = crm.get(f"/studies/{world.study_a.pk}/?tab=amendments").content.decode()
    assert "Implement protocol v2.0 at the sites" in tab
    assert (
        crm.post(f"/protocol-versions/{version.pk}/amendment/", {"changes_consent": "on"}).status_code == 302
    )
    assert AmendmentImplementation.objects.get().changes_consent
    approve_at_site(
        world.site_a1,
        committee,
        by=world.admin,
        kind="amendment",
        protocol_version=version,
        submitted_on=dt.date(2025, 4, 20),
        decided_on=dt.date(2025, 5, 2),
    )
    response = crm.get(f"/studies/{world.study_a.pk}/?tab=amendments")
    (overview,) = response.context["amendments"]
    assert [s.site_number for s in overview.sites_without_approval] == ["102"]
    assert overview.reconsent_count == 2
    body = response.content.decode()
    assert "without ethics approval: 102" in body


def test_tick_form_refuses_the_schedule_before_ethics_approval(world, client_for):
    version = make_approved_amendment(world.study_a, by=world.admin)
    implementation = services.start_amendment(version, world.crm, changes_schedule=True)
    with nothing_written():
        response = client_for(world.crm).post(
            f"/amendments/{implementation.pk}/tick/",
            {"study_site": world.site_a1.pk, "item": "schedule_applied", "done_on": "2025-05-01"},
        )
    assert response.status_code == 200 and list(response.context["form"].errors) == ["done_on"]


# The command ------------------------------------------------------------------------------------------


def test_amendment_status_command_prints_the_documented_json(world):
    version = make_approved_amendment(world.study_a, by=world.admin)
    services.start_amendment(version, world.crm)
    out = io.StringIO()
    call_command("regulatory", "amendment-status", "--study", "ONC-A", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["studies"][0]["study"] == "ONC-A" and report["studies"][0]["version"] == "2.0"
    site = report["studies"][0]["sites"][0]
    assert site["site"] == "101" and site["reconsent_pending"] == []
    assert {"item": "ec_approval", "state": "blocked"} in site["items"]


def test_amendment_status_command_refuses_an_unknown_study(world):
    with pytest.raises(CommandError, match="NOPE"):
        call_command("regulatory", "amendment-status", "--study", "NOPE", "--json")
