"""Reads of randomization; every one starts from what the user may see, and arms pass through concealment."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from trialdesk.core.models import User
from trialdesk.randomization.concealment import Reader, holds_unblinded_access
from trialdesk.randomization.models import (
    Allocation,
    Notification,
    RandomizationScheme,
    RandomizationSlot,
    UnblindedAccess,
    UnblindingEvent,
)
from trialdesk.studies.models import Arm, Study
from trialdesk.subjects.models import Participant, ParticipantStatus


def scheme_for(user: User, study: Study) -> RandomizationScheme | None:
    return RandomizationScheme.objects.visible_to(user).filter(study=study).first()


def schemes_for(user: User, study: Study) -> QuerySet[RandomizationScheme]:
    return RandomizationScheme.objects.visible_to(user).filter(study=study)


def allocations_for(user: User, study: Study) -> QuerySet[Allocation]:
    return (
        Allocation.objects.visible_to(user)
        .filter(study=study)
        .select_related("participant", "study_site", "arm", "randomized_by")
        .order_by("-randomized_at", "-id")
    )


def awaiting_randomization(user: User, study: Study) -> QuerySet[Participant]:
    """Enrolled participants the user may see who have no arm yet."""
    return (
        Participant.objects.visible_to(user)
        .filter(study=study, status=ParticipantStatus.ENROLLED, allocation__isnull=True)
        .select_related("study_site")
        .order_by("number")
    )


@dataclass(frozen=True)
class AllocationRow:
    """An allocation as one reader may see it: `arm` is None when it is concealed from them."""

    allocation: Allocation
    arm: Arm | None

    @property
    def blinded(self) -> bool:
        return self.arm is None


def allocation_rows(user: User, allocations) -> list[AllocationRow]:
    reader = Reader(user)
    return [AllocationRow(allocation, reader.arm_of(allocation)) for allocation in allocations]


def allocation_of(user: User, participant: Participant) -> AllocationRow | None:
    allocation = Allocation.objects.filter(participant=participant).select_related("arm").first()
    return None if allocation is None else allocation_rows(user, [allocation])[0]


def randomization_list_for(user: User, study: Study) -> QuerySet[RandomizationSlot]:
    """The whole list, used and unused slots; only for people with unblinded access (else empty)."""
    if not holds_unblinded_access(user, study.pk):
        return RandomizationSlot.objects.none()
    return (
        RandomizationSlot.objects.visible_to(user)
        .filter(scheme__study=study)
        .select_related("arm", "used_by")
        .order_by("stratum", "sequence")
    )


def unblinded_access_for(user: User, study: Study) -> QuerySet[UnblindedAccess]:
    return UnblindedAccess.objects.visible_to(user).filter(study=study).select_related("user", "granted_by")


def unblindings_for(user: User, study: Study) -> QuerySet[UnblindingEvent]:
    return (
        UnblindingEvent.objects.visible_to(user)
        .filter(study=study)
        .select_related("participant", "signer")
        .order_by("-signed_at", "-id")
    )


def unread_notifications(user: User, study: Study) -> QuerySet[Notification]:
    return Notification.objects.for_recipient(user).unread().filter(study=study).select_related("participant")


def randomized_among(participant_ids: Iterable[int]) -> set[int]:
    """Which of these participants were randomized (have an allocation): the others have no arm to
    unblind, so no page offers to unblind them."""
    return set(
        Allocation.objects.filter(participant_id__in=list(participant_ids)).values_list(
            "participant_id", flat=True
        )
    )
