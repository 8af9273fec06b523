"""Emergency unblinding of one participant, and granting and revoking a person's unblinded access."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from trialdesk.core import records
from trialdesk.core.esign import reauthenticate
from trialdesk.core.models import RoleAssignment, User
from trialdesk.core.permissions import require
from trialdesk.core.roles import Role
from trialdesk.randomization import rules
from trialdesk.randomization.models import Allocation, Notification, UnblindedAccess, UnblindingEvent
from trialdesk.randomization.permissions import may_grant_unblinded_access, may_unblind
from trialdesk.randomization.services.schemes import MANAGERS_ONLY
from trialdesk.studies.models import Study
from trialdesk.subjects.models import Participant

# --- emergency unblinding ---------------------------------------------------------------------


@transaction.atomic
def unblind(*, participant: Participant, reason: str, password: str, by: User) -> UnblindingEvent:
    """Reveal one participant's arm to `by` in an emergency, signed with their password.

    The signature's meaning is "unblinding"; the event is on the audit trail and the study's CRMs are
    notified (without the arm).
    """
    require(
        may_unblind(by, participant),
        gettext("Only the site's investigator, a safety officer or the CRM unblinds."),
    )
    participant = Participant.objects.select_related("study").get(pk=participant.pk)
    allocation = Allocation.objects.filter(participant=participant).first()
    # Asked first: nobody signs (or types a password) for an unblinding that cannot happen.
    problem = rules.unblinding_problem(
        participant_number=participant.number,
        randomized=allocation is not None,
        blinded=participant.study.blinded,
    )
    if problem:
        raise ValidationError({"participant": problem})
    errors = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = gettext("Say why the participant must be unblinded.")
    try:
        reauthenticate(by, password)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    event = records.create_record(
        UnblindingEvent(
            study_id=participant.study_id,
            study_site_id=participant.study_site_id,
            participant=participant,
            allocation=allocation,
            reason=reason,
            signer=by,
            signed_at=timezone.now(),
            meaning=UnblindingEvent.MEANING,
            reauthenticated=True,
        ),
        by=by,
        reason=reason,
    )
    _notify_managers(event)
    return event


def _notify_managers(event: UnblindingEvent) -> None:
    crms = RoleAssignment.objects.filter(role=Role.CRM, study_id=event.study_id, study_site__isnull=True)
    when = event.signed_at.strftime("%Y-%m-%d %H:%M UTC")
    message = (
        f"Participant {event.participant.number} was unblinded in an emergency by "
        f"{event.signer.username} on {when}. Reason: {event.reason}"
    )
    Notification.objects.bulk_create(
        Notification(
            recipient_id=recipient_id,
            study_id=event.study_id,
            participant=event.participant,
            kind="unblinding",
            message=message,
            created_at=event.signed_at,
        )
        for recipient_id in crms.values_list("user_id", flat=True).distinct()
    )


def mark_notifications_read(*, study: Study, by: User) -> int:
    """Mark the person's own notifications about `study` read; the number marked."""
    return Notification.objects.for_recipient(by).unread().filter(study=study).update(read_at=timezone.now())


# --- unblinded access --------------------------------------------------------------------------


def grant_unblinded_access(*, study: Study, user: User, reason: str, by: User) -> UnblindedAccess:
    """Let `user` see every allocation of `study` (e.g. the unblinded pharmacist); never oneself."""
    require(may_grant_unblinded_access(by, study.pk), gettext(MANAGERS_ONLY))
    if user.pk == by.pk:
        raise ValidationError(
            {"user": gettext("Nobody grants themselves unblinded access; ask another manager.")}
        )
    if not Study.objects.visible_to(user).filter(pk=study.pk).exists():
        raise ValidationError(
            {"user": gettext("%(username)s has no role on this study.") % {"username": user.username}}
        )
    reason = records.require_reason(reason)
    access = UnblindedAccess(study=study, user=user, reason=reason, granted_by=by)
    return records.create_record(access, by=by, reason=reason)


def revoke_unblinded_access(*, access: UnblindedAccess, by: User, reason: str) -> None:
    require(may_grant_unblinded_access(by, access.study_id), gettext(MANAGERS_ONLY))
    records.delete_record(access, by=by, reason=reason)
