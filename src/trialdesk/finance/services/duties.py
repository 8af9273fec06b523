"""Segregation of duties, as a finance manager expects it: whoever drafted a payment run does not also
approve it (the approval is their electronic signature on the payment), and whoever entered a site's or
a vendor's invoice does not also decide it. The pages, the API and the commands all reach these checks
through the services.

Who did it is read from the record's audit trail (the `<model>.created` event core.records writes in the
creating transaction), so the rule holds for records made before it existed, and no copy of the trail is
kept on the record.
"""

from django.core.exceptions import ValidationError

from trialdesk.core.models import AuditEvent, User

OWN_RUN = (
    "You drafted this payment run: another of the study's finance staff or its CRM approves it "
    "(segregation of duties)."
)
OWN_INVOICE = (
    "You entered this invoice: another of the study's finance staff or its CRM decides it "
    "(segregation of duties)."
)


def created_by_id(record) -> int | None:
    """The id of the person who created `record`, from its creation event on the audit trail."""
    return (
        AuditEvent.objects.filter(
            object_type=record._meta.label_lower,
            object_id=str(record.pk),
            action=f"{record._meta.model_name}.created",
        )
        .order_by("id")
        .values_list("actor_id", flat=True)
        .first()
    )


def is_own(record, user: User | None) -> bool:
    """Whether `user` created `record` (and so may not approve or decide it)."""
    return user is not None and user.pk is not None and created_by_id(record) == user.pk


def refuse_own(record, *, by: User, field: str, message: str) -> None:
    """Refuse, naming `field`, when `by` created the record they are about to approve or decide."""
    if is_own(record, by):
        raise ValidationError({field: message})
