"""Recording adverse events and follow-ups: obligations appear, are recalculated and never deleted."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import make_participant
from trialdesk.core.models import AuditEvent
from trialdesk.people.tests.factories import keep_delegation_log
from trialdesk.safety import services
from trialdesk.safety.models import AdverseEvent, AdverseEventVersion, ReportingObligation
from trialdesk.safety.rules import clocks, statuses
from trialdesk.safety.tests.factories import AWARE, make_adverse_event
from trialdesk.safety.tests.test_rules import applied


@pytest.fixture
def participant(world):
    return make_participant(world.site_a1, "101-001", by=world.admin)


def keys(event) -> dict[str, str]:
    return {o.key: o.status for o in ReportingObligation.objects.filter(adverse_event=event)}


def test_serious_unexpected_related_event_starts_clocks_of_every_jurisdiction_of_the_study(
    world, participant
):
    # Study A runs in Germany (EU) and Japan.
    event = make_adverse_event(participant, by=world.crm)
    assert event.number == "AE-0001" and event.serious and event.related
    assert keys(event) == {
        "PROTOCOL-SAE-SPONSOR": "open",
        "EU-SUSAR-15D": "open",
        "JP-ADR-15D": "open",
        "JP-GCP-NOTICE-15D": "open",
    }
    to_sponsor = ReportingObligation.objects.get(adverse_event=event, key="PROTOCOL-SAE-SPONSOR")
    # The site is in Berlin: 24 hours from 10:00 CET.
    assert to_sponsor.due_at == AWARE + dt.timedelta(hours=24)
    assert to_sponsor.time_zone == "Europe/Berlin" and to_sponsor.reporting_party == "site"
    eu = ReportingObligation.objects.get(adverse_event=event, key="EU-SUSAR-15D")
    # No sponsor time zone: the earliest end of day anywhere (UTC+9 here, 23:59:59 is 14:59:59 UTC), in UTC.
    assert eu.time_zone == "UTC" and eu.due_at == dt.datetime(2025, 3, 25, 14, 59, 59, tzinfo=dt.UTC)
    assert eu.day_zero == AWARE + dt.timedelta(hours=5)  # the sponsor's receipt of the information


def test_non_serious_event_creates_no_obligation(world, participant):
    event = make_adverse_event(participant, by=world.crm, seriousness=[], grade=1)
    assert keys(event) == {}


def test_expected_serious_event_is_reported_to_the_sponsor_only(world, participant):
    event = make_adverse_event(participant, by=world.crm, expected=True)
    assert keys(event) == {"PROTOCOL-SAE-SPONSOR": "open"}


def test_event_becoming_fatal_on_follow_up_adds_7_day_clocks_and_keeps_history(world, participant, clock):
    clock.move_to(AWARE + dt.timedelta(days=3, hours=1))  # the follow-up is recorded before any deadline
    event = make_adverse_event(participant, by=world.crm)
    services.add_follow_up(
        adverse_event=event,
        by=world.crm,
        reason="participant died",
        grade=5,
        outcome="fatal",
        seriousness=["hospitalization", "death"],
        received_at=AWARE + dt.timedelta(days=3),
    )
    event.refresh_from_db()
    assert event.latest_version == 2 and event.fatal_or_life_threatening
    assert keys(event) == {
        "PROTOCOL-SAE-SPONSOR": "open",
        "EU-SUSAR-15D": "not_required",
        "JP-ADR-15D": "not_required",
        "JP-GCP-NOTICE-15D": "not_required",
        "EU-SUSAR-7D": "open",
        "JP-ADR-7D": "open",
        "JP-GCP-NOTICE-7D": "open",
    }
    retired = ReportingObligation.objects.get(adverse_event=event, key="EU-SUSAR-15D")
    assert retired.not_required_reason == "No longer required: the event is fatal or life-threatening."
    first = AdverseEventVersion.objects.get(adverse_event=event, number=1)
    assert first.grade == 3 and first.outcome == "recovering" and first.version == 1
    seven = ReportingObligation.objects.get(adverse_event=event, key="EU-SUSAR-7D")
    assert seven.from_version == 2 and seven.due_on == dt.date(2025, 3, 20)


def test_the_service_leaves_the_statuses_the_recalculation_plans(world, participant, clock):
    """The rule tests model what the service does with a plan (test_rules.applied); this holds it to it."""
    clock.move_to(AWARE + dt.timedelta(days=3, hours=1))
    event = make_adverse_event(participant, by=world.crm)
    before = keys(event)
    due = {o.key: o.due_at for o in ReportingObligation.objects.filter(adverse_event=event)}
    version = services.add_follow_up(
        adverse_event=event,
        by=world.crm,
        reason="participant died",
        grade=5,
        outcome="fatal",
        seriousness=["hospitalization", "death"],
        received_at=AWARE + dt.timedelta(days=3),
    )
    facts, policies = services.event_facts(AdverseEvent.objects.get(pk=event.pk), version)
    now = clock.now()
    plan = statuses.recalculate(before, clocks.obligations_for(facts, policies, now=now), due=due, now=now)
    assert plan.create and plan.retire
    assert keys(event) == applied(before, plan)


def test_recalculation_twice_changes_nothing(world, participant):
    event = make_adverse_event(participant, by=world.crm)
    before = AuditEvent.objects.count()
    plan = services.recalculate_obligations(adverse_event=event, by=world.crm)
    assert plan == statuses.Recalculation() and AuditEvent.objects.count() == before


def test_reclassified_expected_marks_open_reports_not_required_and_back(world, participant, clock):
    clock.move_to(AWARE + dt.timedelta(days=2))
    event = make_adverse_event(participant, by=world.crm)
    services.add_follow_up(adverse_event=event, by=world.crm, reason="sponsor: listed in IB", expected=True)
    assert keys(event)["EU-SUSAR-15D"] == "not_required"
    services.add_follow_up(adverse_event=event, by=world.crm, reason="IB section removed", expected=False)
    assert keys(event)["EU-SUSAR-15D"] == "open"
    assert ReportingObligation.objects.filter(adverse_event=event).count() == 4


def test_made_unnecessary_after_its_deadline_is_kept_as_missed_with_the_reason(world, participant, clock):
    clock.move_to(AWARE + dt.timedelta(days=2))
    event = make_adverse_event(participant, by=world.crm)
    clock.move_to(AWARE + dt.timedelta(days=40))
    services.add_follow_up(adverse_event=event, by=world.crm, reason="sponsor: listed in IB", expected=True)
    missed = ReportingObligation.objects.get(adverse_event=event, key="EU-SUSAR-15D")
    assert missed.status == "missed" and "kept as missed" in missed.not_required_reason
    assert AuditEvent.objects.filter(object_id=str(missed.pk), action="reportingobligation.missed").exists()


@pytest.mark.parametrize(
    "overrides, field",
    [
        (dict(ctcae_term="Nausia"), "ctcae_term"),
        (dict(grade=6), "grade"),
        (dict(grade=5), "outcome"),
        (dict(resolved_on=dt.date(2025, 3, 1)), "resolved_on"),
        (dict(onset_on=dt.date(2025, 3, 12)), "site_aware_at"),
        (dict(sponsor_aware_at=AWARE - dt.timedelta(hours=1)), "sponsor_aware_at"),
    ],
)
def test_bad_event_is_refused_naming_the_field_and_nothing_is_saved(world, participant, overrides, field):
    audit_before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        make_adverse_event(participant, by=world.crm, **overrides)
    assert field in error.value.message_dict
    assert not AdverseEvent.objects.exists() and AuditEvent.objects.count() == audit_before


def test_unknown_term_offers_the_closest_terms(world, participant):
    with pytest.raises(ValidationError) as error:
        make_adverse_event(participant, by=world.crm, ctcae_term="Nausia")
    assert "Closest terms: Nausea" in error.value.message_dict["ctcae_term"][0]


def test_the_monitor_and_the_auditor_may_not_record_adverse_events(world, participant):
    for person in (world.monitor, world.auditor):
        with pytest.raises(PermissionDenied):
            make_adverse_event(participant, by=person)


def test_causality_needs_a_delegation_when_the_site_keeps_its_log(world, participant):
    investigator = keep_delegation_log(world.site_a1, protocol=world.protocol_a, by=world.admin)
    audit_before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        make_adverse_event(participant, by=world.crm)  # the CRM is not on site 101's log
    assert not AdverseEvent.objects.exists() and AuditEvent.objects.count() == audit_before
    pending = make_adverse_event(participant, by=world.crm, causality="")  # no assessment recorded yet
    assert pending.number == "AE-0001" and pending.versions.get().causality == ""
    assessed = make_adverse_event(participant, by=investigator)  # delegated "ae_assessment", signed
    assert (
        assessed.versions.get().causality == "possibly"
        and assessed.versions.get().recorded_by == investigator
    )


def test_a_follow_up_changing_causality_needs_the_delegation_too(world, participant):
    investigator = keep_delegation_log(world.site_a1, protocol=world.protocol_a, by=world.admin)
    event = make_adverse_event(participant, by=investigator)
    with pytest.raises(PermissionDenied):
        services.add_follow_up(adverse_event=event, by=world.crm, reason="reassessed", causality="unrelated")
    assert AdverseEventVersion.objects.filter(adverse_event=event).count() == 1
    services.add_follow_up(
        adverse_event=event, by=world.crm, reason="still in hospital", outcome="not_recovered"
    )
    services.add_follow_up(adverse_event=event, by=investigator, reason="reassessed", causality="unrelated")
    assert list(event.versions.order_by("number").values_list("causality", flat=True)) == [
        "possibly",
        "possibly",
        "unrelated",
    ]


def test_marking_submitted_keeps_the_evidence(world, participant):
    event = make_adverse_event(participant, by=world.crm)
    obligation = ReportingObligation.objects.get(adverse_event=event, key="EU-SUSAR-15D")
    done = services.mark_submitted(
        obligation=obligation,
        by=world.crm,
        submitted_at=AWARE + dt.timedelta(days=2),
        reference_number="EV-123",
    )
    assert done.status == "met" and done.submitted_by == world.crm and done.reference_number == "EV-123"
    with pytest.raises(ValidationError) as error:
        services.mark_submitted(obligation=done, by=world.crm)
    assert "status" in error.value.message_dict


def test_report_cannot_be_submitted_before_its_clock_started(world, participant):
    event = make_adverse_event(participant, by=world.crm)
    obligation = ReportingObligation.objects.get(adverse_event=event, key="EU-SUSAR-15D")
    with pytest.raises(ValidationError) as error:
        services.mark_submitted(
            obligation=obligation, by=world.crm, submitted_at=AWARE - dt.timedelta(days=1)
        )
    assert "submitted_at" in error.value.message_dict


def test_settings_add_jurisdictions_and_the_sponsor_time_zone(world, participant):
    services.save_safety_settings(
        study=world.study_a, by=world.crm, sponsor_time_zone="America/New_York", extra_jurisdictions=["US"]
    )
    event = make_adverse_event(participant, by=world.crm)
    fda = ReportingObligation.objects.get(adverse_event=event, key="US-IND-15D")
    assert fda.time_zone == "America/New_York" and fda.due_on == dt.date(2025, 3, 25)
    with pytest.raises(ValidationError) as error:
        services.save_safety_settings(study=world.study_a, by=world.crm, sponsor_time_zone="Mars/Olympus")
    assert "sponsor_time_zone" in error.value.message_dict


def test_committee_policy_adds_an_irb_obligation(world, participant):
    services.add_committee_policy(
        study=world.study_a,
        by=world.crm,
        name="EC-BERLIN",
        committee="Ethics committee Berlin",
        event_kind="all_serious",
        clock="working",
        length=5,
        holiday_calendar="DE",
    )
    event = make_adverse_event(participant, by=world.crm, expected=True)
    irb = ReportingObligation.objects.get(adverse_event=event, key="IRB:EC-BERLIN")
    assert irb.recipient == "Ethics committee Berlin" and irb.due_on == dt.date(2025, 3, 17)


def test_dsur_obligation_follows_the_development_birth_date(world):
    services.save_safety_settings(
        study=world.study_a, by=world.crm, development_birth_date=dt.date(2020, 6, 15)
    )
    dsur = ReportingObligation.objects.get(study=world.study_a, adverse_event__isnull=True)
    assert dsur.key.startswith("DSUR-") and (dsur.due_on - dt.date.fromisoformat(dsur.key[5:])).days == 60
    assert services.ensure_dsur_obligation(study=world.study_a, by=world.crm) == dsur


def test_calendar_feed_token_is_stored_hashed_and_revocable(world):
    feed, token = services.create_calendar_feed(user=world.crm)
    assert feed.token_hash != token and services.feed_owner(token) == world.crm
    services.revoke_calendar_feeds(user=world.crm)
    assert services.feed_owner(token) is None
