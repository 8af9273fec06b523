"""Issue 13 in the application: the 24-hour limit at EU/UK sites and protocol exemptions, the sponsor's
time zone, excluded jurisdictions, follow-up clocks from the report made, deliveries per site and
committee with their acknowledgement, attached reports (checksummed, audited) and the CIOMS I form."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import make_participant
from trialdesk.core.models import AuditEvent
from trialdesk.safety import deliveries, selectors, services
from trialdesk.safety.models import ObligationDelivery, ReportingObligation
from trialdesk.safety.tests.factories import AWARE, make_adverse_event


@pytest.fixture
def participant(world):
    return make_participant(world.site_a1, "101-001", by=world.admin)


def test_more_than_24_hours_at_an_eu_site_is_refused_without_a_protocol_exemption(world):
    # Study A has a site in Berlin: Regulation (EU) No 536/2014 art. 41(2).
    with pytest.raises(ValidationError) as error:
        services.save_safety_settings(study=world.study_a, by=world.crm, site_to_sponsor_hours=48)
    assert "art. 41(2)" in error.value.message_dict["site_to_sponsor_hours"][0]


def test_a_protocol_exemption_sets_its_kind_of_events_limit(world, participant, clock):
    clock.move_to(AWARE + dt.timedelta(hours=6))
    exemption = services.add_protocol_exemption(
        study=world.study_a,
        by=world.crm,
        kind_of_event="Hospitalisation for a planned procedure",
        protocol_section="10.3.2",
        site_to_sponsor_hours=72,
    )
    event = make_adverse_event(participant, by=world.crm, protocol_exemption=exemption)
    to_sponsor = ReportingObligation.objects.get(adverse_event=event, key="PROTOCOL-SAE-SPONSOR")
    assert to_sponsor.length == 72 and "section 10.3.2" in to_sponsor.description
    with pytest.raises(ValidationError) as error:
        services.add_protocol_exemption(
            study=world.study_a,
            by=world.crm,
            kind_of_event="x",
            protocol_section=" ",
            site_to_sponsor_hours=48,
        )
    assert "protocol_section" in error.value.message_dict


def test_sponsor_time_zone_comes_from_its_country_or_is_set_and_is_warned_about_when_missing(world):
    assert any("sponsor time zone not set" in w for w in selectors.coverage(world.study_a).warnings)
    services.save_safety_settings(study=world.study_a, by=world.crm, sponsor_country="DE")
    assert selectors.settings_of(world.study_a).effective_time_zone == "Europe/Berlin"
    services.save_safety_settings(study=world.study_a, by=world.crm, sponsor_country="US")
    assert selectors.settings_of(world.study_a).effective_time_zone == ""  # several zones: set one
    services.save_safety_settings(
        study=world.study_a, by=world.crm, sponsor_country="US", sponsor_time_zone="America/Chicago"
    )
    assert not any("sponsor time zone" in w for w in selectors.coverage(world.study_a).warnings)


def test_a_jurisdiction_is_excluded_only_with_a_reason(world):
    with pytest.raises(ValidationError) as error:
        services.save_safety_settings(
            study=world.study_a, by=world.crm, excluded_jurisdictions=[{"code": "JP", "reason": ""}]
        )
    assert "excluded_jurisdictions" in error.value.message_dict
    services.save_safety_settings(
        study=world.study_a,
        by=world.crm,
        excluded_jurisdictions=[{"code": "JP", "reason": "Japanese site is an observational sub-study"}],
    )
    coverage = selectors.coverage(world.study_a)
    assert coverage.jurisdictions == ("EU",) and coverage.excluded == {
        "JP": "Japanese site is an observational sub-study"
    }
    assert coverage.unverified == ("EU",)


def test_a_report_made_late_is_missed_and_its_complete_report_runs_from_it(world, participant, clock):
    clock.move_to(AWARE + dt.timedelta(days=9))
    event = make_adverse_event(participant, by=world.crm, seriousness=["death"], outcome="fatal", grade=5)
    seven = ReportingObligation.objects.get(adverse_event=event, key="EU-SUSAR-7D")
    assert not ReportingObligation.objects.filter(adverse_event=event, key="EU-SUSAR-7D-FOLLOW-UP").exists()
    made = services.mark_submitted(obligation=seven, by=world.crm, submitted_at=AWARE + dt.timedelta(days=8))
    assert made.status == "missed" and made.not_required_reason == "Reported after its due time."
    complete = ReportingObligation.objects.get(adverse_event=event, key="EU-SUSAR-7D-FOLLOW-UP")
    assert complete.starts_at == AWARE + dt.timedelta(days=8) and complete.due_on == dt.date(2025, 3, 26)
    assert complete.day_zero == seven.day_zero


def test_reports_to_every_investigator_are_tracked_per_site_with_acknowledgement(world, participant, clock):
    clock.move_to(AWARE + dt.timedelta(days=1))
    services.save_safety_settings(
        study=world.study_a, by=world.crm, sponsor_time_zone="America/New_York", extra_jurisdictions=["US"]
    )
    event = make_adverse_event(participant, by=world.crm)
    to_investigators = ReportingObligation.objects.get(adverse_event=event, key="US-IND-15D-INVESTIGATORS")
    found = list(ObligationDelivery.objects.filter(obligation=to_investigators))
    assert sorted(d.study_site.site_number for d in found) == ["101", "102"]
    with pytest.raises(PermissionDenied):
        deliveries.record_delivery(delivery=found[0], by=world.monitor, sent_at=AWARE)
    done = deliveries.record_delivery(
        delivery=found[0],
        by=world.crm,
        sent_at=AWARE + dt.timedelta(hours=20),
        acknowledged_at=AWARE + dt.timedelta(hours=22),
        acknowledgement_reference="ACK-101",
    )
    assert done.acknowledged_at and done.acknowledgement_reference == "ACK-101"
    assert AuditEvent.objects.filter(action="obligationdelivery.delivered", object_id=str(done.pk)).exists()
    with pytest.raises(ValidationError):
        deliveries.record_delivery(
            delivery=found[1], by=world.crm, sent_at=AWARE + dt.timedelta(hours=5), acknowledged_at=AWARE
        )


def test_a_submitted_report_is_attached_checksummed_and_served_only_unaltered(
    world, participant, client_for, private_data_dir
):
    event = make_adverse_event(participant, by=world.crm)
    obligation = ReportingObligation.objects.get(adverse_event=event, key="EU-SUSAR-15D")
    with pytest.raises(ValidationError) as error:
        deliveries.attach(
            obligation=obligation, kind="report", file_name="x.exe", content=b"MZ", by=world.crm
        )
    assert "file" in error.value.message_dict
    attached = deliveries.attach(
        obligation=obligation,
        kind="acknowledgement",
        file_name="ack.xml",
        content=b'<?xml version="1.0"?><ack>ok</ack>',
        by=world.crm,
    )
    assert AuditEvent.objects.filter(
        action="obligationattachment.created", object_id=str(attached.pk)
    ).exists()
    url = f"/obligation-attachments/{attached.pk}/"
    assert client_for(world.crm).get(url).content.startswith(b"<?xml")
    assert client_for(world.sponsor_viewer).get(url).status_code == 404
    deliveries.path_of(attached.sha256).write_bytes(b"<?xml altered")
    assert client_for(world.crm).get(url).status_code == 404


def test_cioms_form_is_a_pdf_for_those_who_may_see_the_event(world, participant, client_for):
    event = make_adverse_event(participant, by=world.crm, narrative="admitted with hypoxia")
    response = client_for(world.crm).get(f"/adverse-events/{event.pk}/cioms.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-") and b"101-001" in response.content
    assert (
        b"admitted with hypoxia" in response.content
        and b"[X] 8-12. involved or prolonged" in response.content
    )
    assert client_for(world.sponsor_viewer).get(f"/adverse-events/{event.pk}/cioms.pdf").status_code == 404


def test_the_board_lists_missed_obligations_and_what_is_not_covered(world, participant, client_for, clock):
    clock.move_to(AWARE + dt.timedelta(days=20))
    event = make_adverse_event(participant, by=world.crm)
    late = ReportingObligation.objects.get(adverse_event=event, key="EU-SUSAR-15D")
    services.mark_submitted(obligation=late, by=world.crm, submitted_at=late.due_at + dt.timedelta(days=1))
    page = client_for(world.crm).get("/safety/obligations/").content.decode()
    assert 'id="missed"' in page and "Reported after its due time." in page
    assert "sponsor time zone not set" in page and "unverified" in page


def test_the_safety_tab_warns_and_marks_unverified_rules(world, client_for):
    page = client_for(world.crm).get(f"/studies/{world.study_a.pk}/?tab=safety").content.decode()
    assert "sponsor time zone not set" in page and "rules unverified against their source: EU, JP" in page
