"""The one gate on the order of consent and study procedures: a person's first consent is signed on or
before their first study procedure (their first screening assessment, their first visit done).

Every write that can break the order asks `consent_timing_problem`: recording a consent, recording a
screening entry's first assessment, and (the visits app, above) recording a visit done.
"""

from datetime import date

from django.db.models import Q

from trialdesk.subjects import consent_law
from trialdesk.subjects.models import Consent, Participant, ScreeningEntry


def _screening_entry(person: Participant | ScreeningEntry) -> ScreeningEntry | None:
    if isinstance(person, ScreeningEntry):
        return person
    return person.screening_entry if person.screening_entry_id else None


def person_first_consent_on(person: Participant | ScreeningEntry) -> date | None:
    """The day (site time) the person first signed a consent, as a screened person or a participant."""
    entry = _screening_entry(person)
    # A screening entry not saved yet (being created) has no consent on record.
    mine = Q(screening_entry=entry) if entry is not None and entry.pk else Q(pk__in=[])
    if isinstance(person, Participant) and person.pk:
        mine |= Q(participant=person)
    first = Consent.objects.filter(mine).order_by("signed_at").values_list("signed_at", flat=True).first()
    return first.astimezone(person.study_site.zone).date() if first else None


def consent_timing_problem(
    person: Participant | ScreeningEntry,
    *,
    consent_on: date | None = None,
    procedure_on: date | None = None,
    first_assessment_on: date | None = None,
) -> str | None:
    """Why recording a consent signed on `consent_on`, or a study procedure done on `procedure_on`, would
    put the person's first procedure before their first consent; None when the order holds.

    `first_assessment_on` is a screening entry's first assessment as it is about to be saved (else the
    one on record). A screened person with no consent yet may have no procedure; a participant with no
    consent on record (enrolled before Trialdesk kept consents) is not judged."""
    consents = [day for day in (person_first_consent_on(person), consent_on) if day is not None]
    if not consents and isinstance(person, Participant):
        return None  # a participant whose consents are not kept in Trialdesk (enrolled elsewhere, imported)
    entry = _screening_entry(person)
    assessment = (
        first_assessment_on if first_assessment_on is not None else (entry and entry.first_assessment_on)
    )
    procedures = [day for day in (assessment, procedure_on) if day is not None]
    return consent_law.consent_after_procedure_problem(
        first_consent_on=min(consents, default=None), first_procedure_on=min(procedures, default=None)
    )
