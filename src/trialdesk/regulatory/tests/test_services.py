"""Regulatory writes: committees, submissions and decisions (audited, bad dates refused), enrollment blocked
by a lapsed approval, amendment start, gating of a new version before the site's ethics approval."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import make_institution, make_site
from trialdesk.core.models import AuditEvent
from trialdesk.regulatory import selectors, services
from trialdesk.regulatory.models import AmendmentImplementation, Submission
from trialdesk.regulatory.tests.factories import (
    approve_at_site,
    authorise_at_site,
    authority,
    make_approved_amendment,
    make_committee,
)
from trialdesk.studies import services as study_services
from trialdesk.subjects import services as subject_services
from trialdesk.subjects.tests.factories import (
    make_consent_version,
    make_enrolled,
    make_screening_entry,
    make_study_ready,
)

D = dt.date


def field_of(error: ValidationError) -> list[str]:
    return sorted(error.message_dict)


# --- committees ---------------------------------------------------------------------------------


def test_crm_adds_a_committee_and_it_is_audited(world):
    committee = make_committee(by=world.crm)
    event = AuditEvent.objects.get(object_type="regulatory.ethicscommittee", object_id=str(committee.pk))
    assert event.action == "ethicscommittee.created" and event.actor_username == world.crm.username


def test_site_staff_do_not_keep_the_committee_directory(world):
    with pytest.raises(PermissionDenied):
        make_committee(by=world.coordinator)


def test_a_committee_in_an_unknown_country_is_refused_naming_country(world):
    with pytest.raises(ValidationError) as error:
        make_committee(by=world.admin, country="XX")
    assert field_of(error.value) == ["country"]


# --- submissions --------------------------------------------------------------------------------


@pytest.fixture
def committee(world):
    return make_committee(by=world.admin)


def test_an_approval_dated_before_its_submission_is_refused_and_nothing_is_saved(world, committee):
    with pytest.raises(ValidationError) as error:
        approve_at_site(
            world.site_a1, committee, by=world.crm, submitted_on=D(2025, 3, 1), decided_on=D(2025, 2, 1)
        )
    assert field_of(error.value) == ["decided_on"]
    assert not Submission.objects.exists()


def test_an_expiry_before_the_approval_is_refused_naming_expires_on(world, committee):
    with pytest.raises(ValidationError) as error:
        approve_at_site(world.site_a1, committee, by=world.crm, expires_on=D(2025, 1, 1))
    assert field_of(error.value) == ["expires_on"]


def test_a_submission_dated_in_the_future_is_refused(world, committee):
    with pytest.raises(ValidationError) as error:
        services.create_submission(
            study=world.study_a,
            study_site=world.site_a1,
            ethics_committee=committee,
            kind="initial",
            submitted_on=D(2099, 1, 1),
            by=world.crm,
        )
    assert field_of(error.value) == ["submitted_on"]


def test_decision_recorded_later_is_audited_with_its_reason(world, committee):
    submission = services.create_submission(
        study=world.study_a,
        study_site=world.site_a1,
        ethics_committee=committee,
        kind="initial",
        submitted_on=D(2025, 1, 10),
        by=world.crm,
    )
    assert submission.country == "DE"  # taken from the site
    decided = services.record_decision(
        submission=submission, outcome="approved", decided_on=D(2025, 1, 20), by=world.crm, reason="letter"
    )
    assert decided.version == 2
    event = AuditEvent.objects.filter(object_type="regulatory.submission").last()
    assert event.action == "submission.decided" and event.reason == "letter"
    assert event.changes["outcome"] == ["", "approved"]


def test_decision_before_the_submission_is_refused(world, committee):
    submission = services.create_submission(
        study=world.study_a,
        study_site=world.site_a1,
        ethics_committee=committee,
        kind="initial",
        submitted_on=D(2025, 1, 10),
        by=world.crm,
    )
    with pytest.raises(ValidationError) as error:
        services.record_decision(
            submission=submission, outcome="approved", decided_on=D(2025, 1, 1), by=world.crm, reason="letter"
        )
    assert field_of(error.value) == ["decided_on"]
    submission.refresh_from_db()
    assert submission.outcome == ""


def test_submission_to_an_authority_for_a_country(world):
    submission = services.create_submission(
        study=world.study_a,
        country="DE",
        authority=authority("BfArM"),
        kind="initial",
        submitted_on=D(2025, 1, 5),
        outcome="approved",
        decided_on=D(2025, 2, 20),
        by=world.crm,
    )
    assert submission.recipient_name == "BfArM"


def test_the_monitor_may_not_record_submissions(world, committee):
    with pytest.raises(PermissionDenied):
        approve_at_site(world.site_a1, committee, by=world.monitor)


def test_site_staff_record_their_own_sites_submission(world):
    committee = make_committee("Ethikkommission Köln", by=world.admin)
    submission = approve_at_site(world.site_b1, committee, by=world.coordinator)
    assert submission.study_id == world.study_b.pk


# --- enrollment blocked by a lapsed approval ---------------------------------------------------


def test_enrollment_at_a_site_with_a_lapsed_approval_is_refused_naming_the_site(world):
    """Tokyo: the IRB reviews yearly (J-GCP Art. 31), so the approval of 2025-01-15 runs to 2026-01-14."""
    irb = make_committee("Tokyo IRB", by=world.admin, country="JP")
    version = make_study_ready(world.study_a, [world.site_a2], by=world.admin)
    approve_at_site(world.site_a2, irb, by=world.crm)
    assert make_enrolled(world.site_a2, "S-1", by=world.admin, version=version).number
    entry = make_screening_entry(world.site_a2, "S-2", by=world.admin, screened_on=D(2026, 1, 20))
    subject_services.record_consent(
        screening_entry=entry,
        consent_version=version,
        signed_at=dt.datetime(2026, 1, 20, 9, tzinfo=dt.UTC),
        by=world.admin,
    )
    with pytest.raises(ValidationError) as error:
        subject_services.enroll_participant(screening_entry=entry, enrolled_on=D(2026, 1, 21), by=world.admin)
    assert "lapsed after 2026-01-14" in error.value.message_dict["study_site"][0]
    # The renewal is recorded: enrollment resumes.
    approve_at_site(
        world.site_a2,
        irb,
        by=world.crm,
        kind="continuing_review",
        submitted_on=D(2026, 1, 5),
        decided_on=D(2026, 1, 21),
    )
    participant = subject_services.enroll_participant(
        screening_entry=entry, enrolled_on=D(2026, 1, 21), by=world.admin
    )
    assert participant.status == "enrolled"


def test_an_eu_authorisation_does_not_lapse_whatever_the_committees_period(world, committee):
    """Berlin: the committee record says 12 months, but the EU CTR has no periodic continuing review."""
    approve_at_site(world.site_a1, committee, by=world.crm)
    assert selectors.enrollment_block(world.site_a1, D(2030, 1, 1)) is None
    (standing, _) = selectors.approval_board_for_sites([world.site_a1, world.site_a2])
    assert standing.approval.valid_until is None and standing.countdown == "no expiry"
    assert "Regulation (EU) No 536/2014" in standing.approval.citation


@pytest.mark.parametrize(
    ("exemption", "blocked"),
    [("", True), ("expedited", False), ("data_analysis", False)],
)
def test_a_us_irb_decision_under_45_cfr_46_109_f_needs_no_continuing_review(world, exemption, blocked):
    us = make_institution("Boston Clinic", by=world.admin, country="US", time_zone="America/New_York")
    site = make_site(world.study_a, "103", by=world.admin, institution=us)
    irb = make_committee("Boston IRB", by=world.admin, country="US", committee_type="local_irb")
    submission = approve_at_site(site, irb, by=world.crm, decided_on=D(2025, 1, 15))
    services.record_decision(
        submission=submission,
        outcome="approved",
        decided_on=D(2025, 1, 15),
        regulated_by="common_rule",
        continuing_review_exemption=exemption,
        by=world.crm,
        reason="IRB determination",
    )
    assert (selectors.enrollment_block(site, D(2026, 1, 15)) is not None) is blocked
    event = AuditEvent.objects.filter(
        object_type="regulatory.submission", object_id=str(submission.pk)
    ).last()
    assert event.changes["regulated_by"] == ["", "common_rule"]


def test_an_fda_regulated_study_keeps_its_annual_review(world):
    irb = make_committee("Boston IRB", by=world.admin, country="US", committee_type="local_irb")
    with pytest.raises(ValidationError) as error:
        services.create_submission(
            study=world.study_a,
            country="US",
            ethics_committee=irb,
            kind="initial",
            submitted_on=D(2025, 1, 1),
            outcome="approved",
            decided_on=D(2025, 1, 15),
            regulated_by="fda",
            continuing_review_exemption="expedited",
            by=world.crm,
        )
    assert field_of(error.value) == ["continuing_review_exemption"]


def test_a_site_without_approval_records_is_not_blocked(world):
    assert selectors.enrollment_block(world.site_a1, D(2030, 1, 1)) is None


def test_an_approval_for_the_country_covers_its_sites_only(world, committee):
    services.create_submission(
        study=world.study_a,
        country="JP",
        ethics_committee=make_committee("Tokyo IRB", by=world.admin, country="JP"),
        kind="initial",
        submitted_on=D(2025, 1, 1),
        outcome="approved",
        decided_on=D(2025, 1, 5),
        expires_on=D(2025, 6, 30),
        by=world.crm,
    )
    assert selectors.enrollment_block(world.site_a2, D(2025, 7, 1)) is not None  # Tokyo
    assert selectors.enrollment_block(world.site_a1, D(2025, 7, 1)) is None  # Berlin: no records


# --- amendments ---------------------------------------------------------------------------------


def test_only_a_version_the_sponsor_approved_is_implemented(world):
    with pytest.raises(ValidationError) as error:
        services.start_amendment(world.protocol_a, world.crm)
    assert field_of(error.value) == ["protocol_version"]


def test_start_amendment_once_per_version(world):
    version = make_approved_amendment(world.study_a, by=world.admin)
    implementation = services.start_amendment(version, world.crm)
    assert AmendmentImplementation.objects.get() == implementation
    with pytest.raises(ValidationError) as error:
        services.start_amendment(version, world.crm)
    assert field_of(error.value) == ["protocol_version"]


def test_the_monitor_may_not_start_an_amendment(world):
    version = make_approved_amendment(world.study_a, by=world.admin)
    with pytest.raises(PermissionDenied):
        services.start_amendment(version, world.monitor)


@pytest.fixture
def amendment(world, committee):
    """Study A enrolling at Berlin (A1) and Tokyo (A2) on consent v1.0; protocol v2.0 approved by the sponsor
    and being implemented, with consent v2.0 written for it."""
    old = make_study_ready(world.study_a, [world.site_a1, world.site_a2], by=world.admin)
    people = {
        "101": make_enrolled(world.site_a1, "S-1", by=world.admin, version=old),
        "102": make_enrolled(world.site_a2, "S-2", by=world.admin, version=old),
    }
    version = make_approved_amendment(world.study_a, by=world.admin)
    implementation = services.start_amendment(version, world.crm, changes_schedule=True)
    new_consent = make_consent_version(
        world.study_a, by=world.admin, label="2.0", effective_on=D(2025, 4, 15), protocol_version=version
    )
    return implementation, new_consent, people


def test_consent_version_of_the_amendment_is_refused_before_the_sites_ethics_approval(
    world, amendment, committee
):
    implementation, new_consent, _ = amendment
    with pytest.raises(ValidationError) as error:
        subject_services.record_consent_approval(
            consent_version=new_consent, study_site=world.site_a1, approved_on=D(2025, 5, 1), by=world.crm
        )
    assert "not recorded" in error.value.message_dict["approved_on"][0]
    approve_at_site(
        world.site_a1,
        committee,
        by=world.crm,
        kind="amendment",
        protocol_version=implementation.protocol_version,
        submitted_on=D(2025, 4, 20),
        decided_on=D(2025, 5, 10),
    )
    with pytest.raises(ValidationError) as error:  # dated before the approval
        subject_services.record_consent_approval(
            consent_version=new_consent, study_site=world.site_a1, approved_on=D(2025, 5, 1), by=world.crm
        )
    assert "dated 2025-05-10" in error.value.message_dict["approved_on"][0]
    # Berlin is in the EU: the substantial modification is used only once the Member State authorised it.
    with pytest.raises(ValidationError) as error:
        subject_services.record_consent_approval(
            consent_version=new_consent, study_site=world.site_a1, approved_on=D(2025, 5, 12), by=world.crm
        )
    assert "has not authorised protocol v2.0" in error.value.message_dict["approved_on"][0]
    authorise_at_site(world.site_a1, implementation.protocol_version, by=world.crm, decided_on=D(2025, 5, 11))
    subject_services.record_consent_approval(
        consent_version=new_consent, study_site=world.site_a1, approved_on=D(2025, 5, 12), by=world.crm
    )


def test_submitted_to_the_authority_is_not_authorised(world, amendment, committee):
    """EU CTR Art. 15: not on submission; the checklist says what is awaited."""
    implementation, new_consent, _ = amendment
    version = implementation.protocol_version
    approve_at_site(world.site_a1, committee, by=world.crm, kind="amendment", protocol_version=version,
                    submitted_on=D(2025, 4, 20), decided_on=D(2025, 5, 10))  # fmt: skip
    authorise_at_site(world.site_a1, version, by=world.crm, decided_on=None)
    berlin, _ = selectors.amendment_status(implementation, list(selectors.affected_sites(world.study_a)))
    assert berlin.state_of("authority_submission") == "done"
    assert berlin.state_of("authority_approval") == "pending"
    assert berlin.state_of("consent_approval") == "blocked"
    with pytest.raises(ValidationError):
        services.tick_amendment_item(
            implementation=implementation,
            study_site=world.site_a1,
            item="schedule_applied",
            done_on=D(2025, 5, 20),
            by=world.crm,
        )


def test_the_new_schedule_is_not_applied_before_ethics_approval(world, amendment):
    implementation, _, _ = amendment
    with pytest.raises(ValidationError) as error:
        services.tick_amendment_item(
            implementation=implementation,
            study_site=world.site_a1,
            item="schedule_applied",
            done_on=D(2025, 5, 1),
            by=world.crm,
        )
    assert field_of(error.value) == ["done_on"]


def test_unknown_manual_item_is_refused_naming_item(world, amendment):
    implementation, _, _ = amendment
    with pytest.raises(ValidationError) as error:
        services.tick_amendment_item(
            implementation=implementation,
            study_site=world.site_a1,
            item="ec_approval",
            done_on=D(2025, 5, 1),
            by=world.crm,
        )
    assert field_of(error.value) == ["item"]


def test_checklist_advances_at_the_approved_site_and_stays_blocked_at_the_other(world, amendment, committee):
    implementation, new_consent, people = amendment
    version = implementation.protocol_version
    services.tick_amendment_item(
        implementation=implementation,
        study_site=world.site_a1,
        item="ec_submitted",
        done_on=D(2025, 4, 20),
        by=world.crm,
    )
    approve_at_site(
        world.site_a1,
        committee,
        by=world.crm,
        kind="amendment",
        protocol_version=version,
        submitted_on=D(2025, 4, 20),
        decided_on=D(2025, 5, 10),
    )
    authorise_at_site(world.site_a1, version, by=world.crm)
    subject_services.record_consent_approval(
        consent_version=new_consent, study_site=world.site_a1, approved_on=D(2025, 5, 12), by=world.crm
    )
    berlin, tokyo = selectors.amendment_status(implementation, list(selectors.affected_sites(world.study_a)))
    assert berlin.state_of("authority_approval") == "done"
    assert tokyo.state_of("authority_approval") == "not_required"  # Japan: a change notification
    assert berlin.state_of("ec_approval") == "done" and berlin.state_of("consent_approval") == "done"
    assert berlin.state_of("reconsent") == "pending" and berlin.reconsent_pending == [people["101"].number]
    assert berlin.state_of("schedule") == "pending"
    assert tokyo.state_of("ec_approval") == "blocked" and tokyo.state_of("consent_approval") == "blocked"
    assert tokyo.state_of("authority_submission") == "pending"  # Japan: change notification to the PMDA
    assert tokyo.reconsent_pending == [people["102"].number]
    # The participant at Berlin re-consents on v2.0: nobody is left there.
    subject_services.record_consent(
        participant=people["101"],
        consent_version=new_consent,
        signed_at=dt.datetime(2025, 5, 13, 9, tzinfo=dt.UTC),
        by=world.admin,
    )
    berlin, tokyo = selectors.amendment_status(implementation, list(selectors.affected_sites(world.study_a)))
    assert berlin.state_of("reconsent") == "done" and berlin.reconsent_pending == []
    assert tokyo.reconsent_pending == [people["102"].number]


def test_reconsent_pending_matches_the_subjects_worklist_once_the_version_is_in_use(
    world, amendment, committee
):
    from trialdesk.subjects.selectors import reconsent_worklist

    implementation, new_consent, people = amendment
    approve_at_site(
        world.site_a1,
        committee,
        by=world.crm,
        kind="amendment",
        protocol_version=implementation.protocol_version,
        submitted_on=D(2025, 4, 20),
        decided_on=D(2025, 5, 10),
    )
    authorise_at_site(world.site_a1, implementation.protocol_version, by=world.crm)
    subject_services.record_consent_approval(
        consent_version=new_consent, study_site=world.site_a1, approved_on=D(2025, 5, 12), by=world.crm
    )
    worklist = {i.participant.number for i in reconsent_worklist(world.admin, world.study_a)}
    pending = selectors.reconsent_pending(implementation.protocol_version, [world.site_a1.pk])
    assert worklist == set(pending[world.site_a1.pk]) == {people["101"].number}


def test_amendment_status_report_has_the_documented_shape(world, amendment):
    report = selectors.amendment_status_report(study_code="ONC-A")
    (study,) = report["studies"]
    assert study["study"] == "ONC-A" and study["version"] == "2.0"
    assert [s["site"] for s in study["sites"]] == ["101", "102"]
    first = study["sites"][0]
    assert set(first) == {"site", "items", "reconsent_pending"}
    assert [i["item"] for i in first["items"]][:3] == ["ec_submission", "authority_submission", "ec_approval"]
    assert selectors.amendment_status_report(study_code="ONC-A", version="9.9") == {"studies": []}


def test_superseded_protocol_first_version_is_not_an_amendment_to_start(world):
    study_services.change_protocol_status(
        protocol_version=world.protocol_a, to="submitted", by=world.admin, reason="x"
    )
    with pytest.raises(ValidationError):
        services.start_amendment(world.protocol_a, world.crm)


# --- a participant seen under the new version before the site's approval ------------------------


def test_a_visit_under_the_unapproved_schedule_becomes_one_deviation(world, committee):
    from trialdesk.visits import services as visit_services
    from trialdesk.visits.models import ProtocolDeviation

    old = make_study_ready(world.study_a, [world.site_a1, world.site_a2], by=world.admin)
    berlin = make_enrolled(world.site_a1, "S-1", by=world.admin, version=old)
    tokyo = make_enrolled(world.site_a2, "S-2", by=world.admin, version=old)
    version = make_approved_amendment(world.study_a, by=world.admin)
    implementation = services.start_amendment(version, world.crm, changes_schedule=True)
    visit_services.create_visit_definition(
        protocol_version=version,
        code="W6",
        name="Week 6",
        visit_type="treatment",
        anchor="enrollment",
        day_offset=42,
        modalities=["on_site"],
        by=world.admin,
    )
    visit_services.schedule_visits_bulk(
        protocol_version=version,
        anchor="enrollment",
        anchors=[(berlin.pk, D(2025, 3, 4)), (tokyo.pk, D(2025, 3, 4))],
        by=world.admin,
        reason="new schedule",
    )
    approve_at_site(
        world.site_a1,
        committee,
        by=world.crm,
        kind="amendment",
        protocol_version=version,
        submitted_on=D(2025, 4, 1),
        decided_on=D(2025, 4, 10),
    )
    for participant in (berlin, tokyo):
        visit = participant.scheduled_visits.get(definition__code="W6")
        visit_services.record_visit(
            scheduled_visit=visit, done_on=D(2025, 4, 15), modality="on_site", by=world.admin
        )
    (found,) = selectors.visits_before_approval(implementation, list(selectors.affected_sites(world.study_a)))
    assert (
        found.visit.participant == tokyo and found.ethics_approved_on is None
    )  # Berlin was approved by then
    (deviation,) = services.record_unapproved_version_deviations(implementation=implementation, by=world.crm)
    assert deviation.study_site == world.site_a2 and deviation.important
    assert "before the site's ethics approval" in deviation.description
    assert services.record_unapproved_version_deviations(implementation=implementation, by=world.crm) == []
    assert ProtocolDeviation.objects.filter(participant=tokyo).count() == 1


# --- retraining and items other apps add ---------------------------------------------------------


def test_retraining_is_not_done_at_a_site_without_a_log_while_its_staff_are_untrained(world, amendment):
    """Berlin keeps no delegation log in Trialdesk: its coordinator, by role, still has to be trained."""
    from trialdesk.people.tests.factories import make_staff, train

    implementation, _, _ = amendment
    version = implementation.protocol_version

    def retraining():
        berlin, tokyo = selectors.amendment_status(
            implementation, list(selectors.affected_sites(world.study_a))
        )
        return berlin, tokyo

    berlin, tokyo = retraining()
    assert berlin.state_of("retraining") == "unknown"  # nobody known at the site: not "done"
    nurse = make_staff(world.site_a1, "nurse_nina", by=world.admin)
    berlin, tokyo = retraining()
    assert berlin.state_of("retraining") == "pending" and berlin.training_gaps == [nurse]
    train(nurse, world.site_a1, by=world.admin, protocol=version)
    berlin, tokyo = retraining()
    assert berlin.state_of("retraining") == "done"
    assert tokyo.state_of("retraining") == "unknown"


def test_an_app_adds_its_item_to_every_sites_checklist(world, amendment):
    """A future finance app registers "budget amended" (core.extensions.amendment_checklist_items)."""
    from trialdesk.core import extensions

    implementation, _, _ = amendment
    item = extensions.AmendmentItem(
        "budget", "Site budget amended", lambda version, sites: {world.site_a1.pk: ("pending", "draft sent")}
    )
    extensions.amendment_checklist_items.register(item)
    try:
        berlin, tokyo = selectors.amendment_status(
            implementation, list(selectors.affected_sites(world.study_a))
        )
    finally:
        extensions.amendment_checklist_items.unregister(item)
    assert (berlin.items[-1].label, berlin.items[-1].state, berlin.items[-1].detail) == (
        "Site budget amended",
        "pending",
        "draft sent",
    )
    assert tokyo.state_of("budget") == "not_required"
