"""Subject-level data stays with those who may see it (issue 12 §1): a sponsor viewer follows the study's
progress in aggregate figures, never reads a participant through the audit trail, and is told that
participant-level lists are hidden rather than shown an empty list or a zero."""

import pytest

from tests.factories import make_participant
from trialdesk.core.models import AuditEvent
from trialdesk.core.permissions import can_see_subject_level
from trialdesk.subjects.tests.factories import make_screening_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled(world):
    make_screening_entry(world.site_a1, "S-101-01", by=world.admin)
    return make_participant(world.site_a1, "101-001", by=world.admin, sex="female", age_at_consent=64)


def test_the_sponsor_viewer_may_not_see_subject_level_records_but_the_others_may(world):
    study = world.study_a.pk
    assert not can_see_subject_level(world.sponsor_viewer, study)
    for person in (world.admin, world.crm, world.monitor, world.auditor):
        assert can_see_subject_level(person, study)
    assert not can_see_subject_level(world.coordinator, study)  # a site of another study only


def test_the_audit_trail_hides_participant_events_from_the_sponsor_viewer(world, enrolled, client_for):
    about_participant = AuditEvent.objects.filter(
        object_type="subjects.participant", study_id=world.study_a.pk
    )
    assert about_participant.exists()
    assert not AuditEvent.objects.visible_to(world.sponsor_viewer).filter(object_type="subjects.participant")
    assert AuditEvent.objects.visible_to(world.sponsor_viewer).filter(object_type="studies.study").exists()
    assert AuditEvent.objects.visible_to(world.monitor).filter(object_type="subjects.participant").exists()
    client = client_for(world.sponsor_viewer)
    study = world.study_a.pk
    for url in (
        f"/api/v1/studies/{study}/audit-events?limit=500",
        f"/studies/{study}/?tab=history",
        f"/studies/{study}/history/export/?format=csv",
        f"/studies/{study}/history/export/?format=json",
    ):
        body = client.get(url).content.decode()
        assert "101-001" not in body and "S-101-01" not in body, url
        assert "ONC-A" in body or "studies.study" in body, url  # the study's own events are still there


def test_the_sponsor_viewer_counts_participants_without_reading_them(world, enrolled, client_for):
    client = client_for(world.sponsor_viewer)
    overview = client.get(f"/studies/{world.study_a.pk}/").context
    numbers = dict(overview["panels"])["subjects/panels/study_overview.html"]["participant_numbers"]
    assert numbers == {"screened": 1, "screen_failed": 0, "enrolled": 1, "active": 1}
    portfolio = client.get("/api/v1/studies").json()["items"]
    assert {item["code"]: item["enrolled"] for item in portfolio} == {"ONC-A": 1}


@pytest.mark.parametrize("tab", ["participants", "reconsent", "safety", "susars", "randomization"])
def test_a_participant_level_list_says_hidden_to_the_sponsor_viewer_not_empty(
    world, enrolled, client_for, tab
):
    hidden = "Hidden: participant-level records are not shown to your role."
    body = client_for(world.sponsor_viewer).get(f"/studies/{world.study_a.pk}/?tab={tab}").content.decode()
    crm_body = client_for(world.crm).get(f"/studies/{world.study_a.pk}/?tab={tab}").content.decode()
    assert hidden in body or tab == "randomization"
    assert hidden not in crm_body


def test_a_participant_level_api_list_says_hidden_to_the_sponsor_viewer_not_count_zero(
    world, enrolled, client_for
):
    study = world.study_a.pk
    for url in (
        f"/api/v1/studies/{study}/participants",
        f"/api/v1/studies/{study}/adverse-events",
        f"/api/v1/studies/{study}/samples",
        f"/api/v1/study-sites/{world.site_a1.pk}/screening-entries",
    ):
        hidden = client_for(world.sponsor_viewer).get(url)
        assert hidden.status_code == 403 and hidden.json()["detail"].startswith("Hidden: "), url
        assert client_for(world.crm).get(url).status_code == 200, url
    assert client_for(world.crm).get(f"/api/v1/studies/{study}/participants").json()["count"] == 1
