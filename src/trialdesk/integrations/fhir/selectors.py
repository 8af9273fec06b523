"""FHIR R4 resources of the studies and participants a person may see (built in interop)."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from trialdesk.core.models import User
from trialdesk.integrations.models import RegistryRecord
from trialdesk.interop import fhir
from trialdesk.randomization.concealment import Reader
from trialdesk.randomization.models import Allocation
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Arm, Study
from trialdesk.subjects.models import Consent, Participant


def study_facts(user: User, study: Study) -> fhir.StudyFacts:
    """The study as `user` may see it: only their sites are listed (the caller checked the study's scope)."""
    sites = (
        StudySite.objects.visible_to(user)
        .filter(study=study)
        .select_related("institution")
        .order_by("site_number")
    )
    arms = Arm.objects.visible_to(user).filter(study=study).order_by("code")
    # The ClinicalTrials.gov record, when imported, names the conditions and the study's dates.
    registry = RegistryRecord.objects.visible_to(user).filter(study=study).first()
    conditions = [
        c.strip() for c in (registry.conditions if registry else []) if isinstance(c, str) and c.strip()
    ]
    if not conditions and study.therapeutic_area:
        conditions = [study.therapeutic_area]
    return fhir.StudyFacts(
        id=study.pk,
        code=study.code,
        title=study.title,
        status=study.status,
        phase=study.phase,
        sponsor=study.sponsor,
        planned_enrollment=study.planned_enrollment,
        nct_number=study.nct_number,
        acronym=study.acronym,
        description=study.description,
        conditions=tuple(conditions),
        start_on=registry.start_on if registry else None,
        end_on=registry.completion_on if registry else None,
        sites=tuple(
            fhir.SiteFacts(
                number=site.site_number,
                name=site.institution.name,
                city=site.institution.city,
                country=site.institution.country,
                status=site.status,
                region=site.institution.region,
                postal_code=site.institution.postal_code,
            )
            for site in sites
        ),
        arms=tuple(
            fhir.ArmFacts(code=a.code, name=a.name, type_label=a.get_arm_type_display()) for a in arms
        ),
    )


def _latest_consent(user: User, participant: Participant) -> Consent | None:
    mine = Q(participant=participant)
    if participant.screening_entry_id:
        mine |= Q(screening_entry_id=participant.screening_entry_id)
    return (
        Consent.objects.visible_to(user)
        .filter(mine)
        .select_related("consent_version")
        .order_by("-signed_at", "-id")
        .first()
    )


def subject_facts(user: User, participant: Participant, *, reader: Reader | None = None) -> fhir.SubjectFacts:
    """The participant as `user` may see them: the arm only with unblinded access (or an open-label study)."""
    allocation = Allocation.objects.filter(participant=participant).select_related("arm").first()
    return _facts(participant, allocation, _latest_consent(user, participant), reader or Reader(user))


def _facts(
    participant: Participant, allocation: Allocation | None, consent: Consent | None, reader: Reader
) -> fhir.SubjectFacts:
    arm = reader.arm_of(allocation) if allocation else None
    return fhir.SubjectFacts(
        id=participant.pk,
        number=participant.number,
        study_id=participant.study_id,
        study_code=participant.study.code,
        status=participant.status,
        enrolled_on=participant.enrolled_on,
        ended_on=participant.status_changed_on if participant.has_ended else None,
        consent=(
            fhir.ConsentFacts(
                id=consent.pk,
                label=consent.consent_version.label,
                language=consent.consent_version.language,
                signed_at=consent.signed_at,
            )
            if consent
            else None
        ),
        arm_code=arm.code if arm else None,
    )


def research_study(user: User, study: Study, *, release: str = "R4") -> dict:
    return fhir.BUILDERS[release][0](study_facts(user, study))


def research_subject(user: User, participant: Participant, *, release: str = "R4") -> dict:
    return fhir.BUILDERS[release][1](subject_facts(user, participant))


def study_bundle(
    user: User,
    study: Study,
    *,
    base_url: str | None = None,
    at: dt.datetime | None = None,
    release: str = "R4",
) -> dict:
    """The study and every participant of it `user` may see, as a collection Bundle (a few queries in all)."""
    participants = list(
        Participant.objects.visible_to(user)
        .filter(study=study)
        .select_related("study", "study_site")
        .order_by("number")
    )
    ids = [p.pk for p in participants]
    allocations = {
        a.participant_id: a for a in Allocation.objects.filter(participant_id__in=ids).select_related("arm")
    }
    # Latest consent per participant, whether signed as a participant or earlier at screening.
    latest: dict[tuple[str, int], Consent] = {}
    consents = (
        Consent.objects.visible_to(user)
        .filter(study=study)
        .select_related("consent_version")
        .order_by("signed_at", "id")
    )
    for consent in consents:
        if consent.participant_id:
            latest[("participant", consent.participant_id)] = consent
        if consent.screening_entry_id:
            latest[("screening", consent.screening_entry_id)] = consent

    def consent_of(participant: Participant) -> Consent | None:
        found = [
            c
            for c in (
                latest.get(("participant", participant.pk)),
                latest.get(("screening", participant.screening_entry_id)),
            )
            if c is not None
        ]
        return max(found, key=lambda c: (c.signed_at, c.pk)) if found else None

    reader = Reader(user)
    return fhir.bundle(
        study_facts(user, study),
        [_facts(p, allocations.get(p.pk), consent_of(p), reader) for p in participants],
        base_url=base_url,
        at=at or timezone.now(),
        release=release,
    )
