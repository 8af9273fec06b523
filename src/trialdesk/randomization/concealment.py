"""Allocation concealment: who may see a participant's arm, and masking it wherever the audit trail is shown.

In a blinded study the arm is shown only to people with unblinded access to the study (a grant, e.g.
the unblinded pharmacist) and, for one participant, to whoever signed that participant's emergency
unblinding. In an open-label study everyone who may see the participant sees the arm. The stored
audit events keep every value; the trail's pages, API and exports pass through `mask_events`.
The seed, which would let anyone regenerate the list, is shown only with unblinded access.
"""

from collections.abc import Iterable, Iterator

from trialdesk.core.models import AuditEvent, User
from trialdesk.core.permissions import can_manage_study
from trialdesk.randomization import rules
from trialdesk.randomization.models import (
    Allocation,
    RandomizationScheme,
    UnblindedAccess,
    UnblindingEvent,
)
from trialdesk.studies.models import Arm, Study

ALLOCATION_TYPE = Allocation._meta.label_lower
SCHEME_TYPE = RandomizationScheme._meta.label_lower
# What would tell a blinded reader the arm: the arm itself, the list slot it came from, the scores.
CONCEALED_ALLOCATION_FIELDS = frozenset({"arm", "arm_code", "slot", "scores"})


def holds_unblinded_access(user: User, study_id: int) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return UnblindedAccess.objects.filter(study_id=study_id, user=user).exists()


def sees_allocations(user: User, study: Study) -> bool:
    """True when `user` sees the arm of every participant of `study` they may see."""
    return not study.blinded or holds_unblinded_access(user, study.pk)


class Reader:
    """What one person may see, worked out once per study (one or two queries each)."""

    def __init__(self, user: User):
        self.user = user
        self._studies: dict[int, tuple[bool, bool, bool, frozenset[int]]] = {}

    def _facts(self, study_id: int) -> tuple[bool, bool, bool, frozenset[int]]:
        if study_id not in self._studies:
            blinded = Study.objects.filter(pk=study_id).values_list("blinded", flat=True).first()
            granted = holds_unblinded_access(self.user, study_id)
            sees_all = granted or blinded is False
            unblinded = frozenset()
            if not sees_all and self.user.is_authenticated:
                unblinded = frozenset(
                    UnblindingEvent.objects.filter(study_id=study_id, signer=self.user).values_list(
                        "allocation_id", flat=True
                    )
                )
            sees_shape = sees_all or can_manage_study(self.user, study_id)
            self._studies[study_id] = (sees_all, granted, sees_shape, unblinded)
        return self._studies[study_id]

    def sees_arm(self, study_id: int, allocation_id: int) -> bool:
        sees_all, _, _, unblinded = self._facts(study_id)
        return sees_all or allocation_id in unblinded

    def sees_seed(self, study_id: int) -> bool:
        return self._facts(study_id)[1]

    def sees_block_sizes(self, study_id: int) -> bool:
        """Block sizes help guess the end of a block: shown to the study's managers and the unblinded."""
        return self._facts(study_id)[2]

    def arm_of(self, allocation: Allocation) -> Arm | None:
        """The allocation's arm if this reader may see it, else None ("blinded")."""
        return allocation.arm if self.sees_arm(allocation.study_id, allocation.pk) else None

    def event_changes(self, event: AuditEvent) -> dict:
        """The event's changes as this reader may see them: what they may not see is "blinded" (the stored
        event is untouched)."""
        if event.object_type == ALLOCATION_TYPE:
            if event.study_id is not None and self.sees_arm(event.study_id, _as_int(event.object_id)):
                return event.changes
            hidden = CONCEALED_ALLOCATION_FIELDS
        elif event.object_type == SCHEME_TYPE and event.study_id is not None:
            hidden = set()
            if not self.sees_seed(event.study_id):
                hidden.add("seed")
            if not self.sees_block_sizes(event.study_id):
                hidden.add("block_sizes")
        else:
            return event.changes
        return {
            field: rules.masked(values) if field in hidden else values
            for field, values in (event.changes or {}).items()
        }


def _as_int(value: str) -> int:
    return int(value) if str(value).isdigit() else -1


def mask_events(events: Iterable[AuditEvent], user: User) -> Iterator[AuditEvent]:
    """The events, each with its in-memory `changes` masked for `user`; never save what this yields."""
    reader = Reader(user)
    for event in events:
        event.changes = reader.event_changes(event)
        yield event
