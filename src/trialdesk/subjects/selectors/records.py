"""Lists of participants, screening entries, consent versions, approvals, consents and withdrawals."""

from datetime import date

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from trialdesk.core.models import User
from trialdesk.sites.models import StudySite
from trialdesk.studies import rules as study_rules
from trialdesk.subjects import rules
from trialdesk.subjects.models import (
    Consent,
    ConsentApproval,
    ConsentVersion,
    ConsentWithdrawal,
    DiversityTarget,
    Participant,
    ScreeningEntry,
)


def enrolled_count(study_path: str = "pk"):
    """An annotation: the participants enrolled in the study at `study_path` (everyone past screening).

    A study-level figure like the portfolio's site counts: it names no participant.
    """
    enrolled = (
        Participant.objects.filter(study=OuterRef(study_path), status__in=rules.COUNTS_AS_ENROLLED)
        .order_by()
        .values("study")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(enrolled, output_field=IntegerField()), 0)


def participants_for(user: User, study=None) -> QuerySet[Participant]:
    participants = Participant.objects.visible_to(user).select_related("study_site")
    return participants.filter(study=study) if study is not None else participants


def screening_entries_for(user: User, study_site: StudySite) -> QuerySet[ScreeningEntry]:
    return (
        ScreeningEntry.objects.visible_to(user)
        .filter(study_site=study_site)
        .select_related("participant")
        .order_by("-screened_on", "-id")
    )


def consent_versions_for(user: User, study) -> QuerySet[ConsentVersion]:
    return ConsentVersion.objects.visible_to(user).filter(study=study).select_related("protocol_version")


def approvals_for(user: User, consent_version: ConsentVersion) -> QuerySet[ConsentApproval]:
    return (
        ConsentApproval.objects.visible_to(user)
        .filter(consent_version=consent_version)
        .select_related("study_site__institution")
        .order_by("study_site__site_number")
    )


def consents_for(user: User, participant: Participant) -> QuerySet[Consent]:
    return (
        Consent.objects.visible_to(user)
        .filter(participant=participant)
        .select_related("consent_version")
        .order_by("signed_at", "id")
    )


def consents_of_screening_for(user: User, screening_entry: ScreeningEntry) -> QuerySet[Consent]:
    """The consents a screened person signed, oldest first (linked to the participant once enrolled)."""
    return (
        Consent.objects.visible_to(user).filter(screening_entry=screening_entry).order_by("signed_at", "id")
    )


def withdrawals_for(user: User, participant: Participant) -> QuerySet[ConsentWithdrawal]:
    return ConsentWithdrawal.objects.visible_to(user).filter(participant=participant)


def diversity_targets_for(user: User, study) -> QuerySet[DiversityTarget]:
    return DiversityTarget.objects.visible_to(user).filter(study=study)


def first_consent_on(participant: Participant) -> date | None:
    """The day (site time) the participant first signed consent, e.g. to anchor a visit schedule."""
    first = participant.consents.order_by("signed_at").values_list("signed_at", flat=True).first()
    return first.astimezone(participant.study_site.zone).date() if first else None


def next_participant_number(study, study_site: StudySite) -> tuple[str, int]:
    """The next free participant number of the study's format at a site, and its running number {seq}.

    The running number restarts at each site when the format names the site, else runs study-wide.
    """
    template = study.participant_number_format
    numbered = Participant.objects.filter(study=study)
    if study_rules.numbers_run_per_site(template):
        numbered = numbered.filter(study_site=study_site)
    sequence = (numbered.order_by("-sequence").values_list("sequence", flat=True).first() or 0) + 1
    taken = set(Participant.objects.filter(study=study).values_list("number", flat=True))
    while True:
        number = study_rules.participant_number(
            template, site=study_site.site_number, seq=sequence, study=study.code
        )
        if number not in taken:
            return number, sequence
        sequence += 1
