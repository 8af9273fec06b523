"""Which records legal holds keep from the purge (pure queries over the holds in force)."""

from trialdesk.core.models import RoleAssignment, User
from trialdesk.privacy.models import LegalHold


def holds_in_force():
    return LegalHold.objects.filter(lifted_on=None).select_related("study", "person")


def studies_of(person: User) -> set[int]:
    """The studies a person worked on: their study roles and their sites' studies."""
    rows = RoleAssignment.objects.filter(user=person).values_list("study_id", "study_site__study_id")
    return {study or site_study for study, site_study in rows if study or site_study}


def hold_on_person(person: User, holds) -> LegalHold | None:
    """A hold naming the person, or one on a whole study they worked on."""
    theirs = studies_of(person)
    for hold in holds:
        if hold.person_id == person.pk or (hold.person_id is None and hold.study_id in theirs):
            return hold
    return None


def hold_on_study(study_id: int, holds, *, person_id: int | None = None) -> LegalHold | None:
    for hold in holds:
        if hold.study_id == study_id and (hold.person_id is None or hold.person_id == person_id):
            return hold
    return None


def describe(hold: LegalHold) -> str:
    return f"legal hold #{hold.pk} on {hold.study.code}" + (f" ({hold.reason})" if hold.reason else "")
