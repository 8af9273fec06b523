"""Consent written through the services: the one gate on consent before the first study procedure, who
signed (a legally authorised representative, a minor's assent), and re-consent at the age of majority on
the worklist (issue 13 §3)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tests.factories import make_institution, make_site
from trialdesk.core.models import AuditEvent
from trialdesk.subjects import services
from trialdesk.subjects.selectors import reconsent_worklist
from trialdesk.subjects.tests.factories import (
    make_consent_version,
    make_enrolling,
    make_screening_entry,
    make_study_ready,
)

D = dt.date
SIGNED = dt.datetime(2025, 3, 3, 10, 0, tzinfo=dt.UTC)


def fields(error: ValidationError) -> list[str]:
    return sorted(error.message_dict)


@pytest.fixture
def version(world):
    return make_study_ready(world.study_a, [world.site_a1], by=world.admin)


def test_a_consent_dated_after_the_first_screening_assessment_is_refused(world, version):
    entry = make_screening_entry(world.site_a1, "S-1", by=world.admin)
    services.record_consent(screening_entry=entry, consent_version=version, signed_at=SIGNED, by=world.admin)
    services.update_screening_entry(
        screening_entry=entry, changes={"first_assessment_on": D(2025, 3, 3)}, by=world.admin, reason="labs"
    )
    late = make_screening_entry(world.site_a1, "S-2", by=world.admin, first_assessment_on=None)
    services.update_screening_entry(
        screening_entry=late, changes={"outcome": "pending"}, by=world.admin, reason="still screening"
    )
    with pytest.raises(ValidationError) as error:  # no consent yet: no assessment
        services.update_screening_entry(
            screening_entry=late, changes={"first_assessment_on": D(2025, 3, 2)}, by=world.admin, reason="x"
        )
    assert fields(error.value) == ["first_assessment_on"]


def test_the_consent_must_not_come_after_a_recorded_assessment(world, version):
    entry = make_screening_entry(world.site_a1, "S-1", by=world.admin)
    services.record_consent(screening_entry=entry, consent_version=version, signed_at=SIGNED, by=world.admin)
    with pytest.raises(ValidationError) as error:  # an assessment before the consent of 2025-03-03
        services.update_screening_entry(
            screening_entry=entry, changes={"first_assessment_on": D(2025, 3, 2)}, by=world.admin, reason="x"
        )
    assert (
        "after the first study procedure on 2025-03-02" in error.value.message_dict["first_assessment_on"][0]
    )


def test_recording_a_consent_after_the_assessment_names_signed_at(world, version):
    """An entry whose assessment date was kept before this rule existed (written here without a service)."""
    entry = make_screening_entry(world.site_a1, "S-1", by=world.admin)
    entry.first_assessment_on = D(2025, 3, 4)
    entry.save(update_fields=["first_assessment_on"])
    count = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        services.record_consent(
            screening_entry=entry,
            consent_version=version,
            signed_at=dt.datetime(2025, 3, 5, 9, tzinfo=dt.UTC),
            by=world.admin,
        )
    assert fields(error.value) == ["signed_at"] and AuditEvent.objects.count() == count


def test_a_representative_signs_for_a_minor_with_the_childs_assent(world, version):
    entry = make_screening_entry(world.site_a1, "S-1", by=world.admin)
    with pytest.raises(ValidationError) as error:
        services.record_consent(
            screening_entry=entry,
            consent_version=version,
            signed_at=SIGNED,
            by=world.admin,
            age_at_signing=15,
        )
    assert fields(error.value) == ["minor_assent", "signer"]
    consent = services.record_consent(
        screening_entry=entry,
        consent_version=version,
        signed_at=SIGNED,
        by=world.admin,
        signer="representative",
        representative_relationship="mother",
        minor_assent="assented",
        age_at_signing=15,
    )
    event = AuditEvent.objects.filter(object_type="subjects.consent", object_id=str(consent.pk)).get()
    assert event.changes["representative_relationship"] == [None, "mother"]
    assert event.changes["age_at_signing"] == [None, 15]


def _korean_site(world):
    seoul = make_institution(
        "Seoul Clinic", by=world.admin, country="KR", time_zone="Asia/Seoul", city="Seoul"
    )
    return make_enrolling(make_site(world.study_a, "301", by=world.admin, institution=seoul), by=world.admin)


def test_a_minor_consented_by_a_representative_re_consents_at_19_in_korea(world, clock):
    """Korea's Civil Act Art. 4: majority at 19. A participant aged 18 (an adult in most countries) is
    still a minor at a Seoul site; the worklist asks for their own consent on their 19th birthday."""
    clock.move_to("2025-06-01T03:00Z")
    site = _korean_site(world)
    version = make_consent_version(world.study_a, by=world.admin, approved_at=[site])
    entry = make_screening_entry(site, "K-1", by=world.admin)
    services.record_consent(
        screening_entry=entry,
        consent_version=version,
        signed_at=SIGNED,
        by=world.admin,
        signer="representative",
        representative_relationship="father",
        minor_assent="assented",
        age_at_signing=18,
        majority_on=D(2025, 9, 1),
    )
    participant = services.enroll_participant(
        screening_entry=entry, enrolled_on=D(2025, 3, 4), by=world.admin
    )
    (item,) = reconsent_worklist(world.admin, world.study_a)
    assert (item.participant, item.due_on, item.is_overdue) == (participant, D(2025, 9, 1), False)
    assert item.why.startswith("reaches 19, the age of majority (Civil Act of the Republic of Korea, Art. 4")
    clock.move_to("2025-09-02T03:00Z")
    (item,) = reconsent_worklist(world.admin, world.study_a)
    assert item.is_overdue
    # The participant consents themselves: nothing left to do.
    services.record_consent(
        participant=participant,
        consent_version=version,
        signed_at=dt.datetime(2025, 9, 2, 1, tzinfo=dt.UTC),
        by=world.admin,
        age_at_signing=19,
        reason="own consent at the age of majority",
    )
    assert reconsent_worklist(world.admin, world.study_a) == []


def test_only_the_age_in_years_gives_the_earliest_day(world, clock):
    clock.move_to("2025-06-01T03:00Z")
    site = _korean_site(world)
    version = make_consent_version(world.study_a, by=world.admin, approved_at=[site])
    entry = make_screening_entry(site, "K-2", by=world.admin)
    services.record_consent(
        screening_entry=entry, consent_version=version, signed_at=SIGNED, by=world.admin,
        signer="representative", representative_relationship="legal guardian", minor_assent="assented",
        age_at_signing=17,
    )  # fmt: skip
    services.enroll_participant(screening_entry=entry, enrolled_on=D(2025, 3, 4), by=world.admin)
    (item,) = reconsent_worklist(world.admin, world.study_a)
    assert item.due_on == D(2026, 3, 4) and "earliest day" in item.why


def test_a_representative_for_an_adult_is_not_waiting_for_an_age(world, version):
    entry = make_screening_entry(world.site_a1, "S-1", by=world.admin)
    services.record_consent(
        screening_entry=entry, consent_version=version, signed_at=SIGNED, by=world.admin,
        signer="representative", representative_relationship="spouse", age_at_signing=80,
    )  # fmt: skip
    services.enroll_participant(screening_entry=entry, enrolled_on=D(2025, 3, 4), by=world.admin)
    assert reconsent_worklist(world.admin, world.study_a) == []
