"""Writes to a protocol version's schedule of activities: its visit definitions."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from trialdesk.core import records
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.studies.models import ProtocolVersion
from trialdesk.visits.models import VisitDefinition
from trialdesk.visits.permissions import can_manage_schedule

DEFINITION_FIELDS = (
    "code",
    "name",
    "visit_type",
    "anchor",
    "day_offset",
    "window_before_days",
    "window_after_days",
    "modalities",
    "order",
)


ONLY_SCHEDULE_MANAGERS = "Only the study's CRM or an administrator changes its schedule of activities."


# Schedule of activities ---------------------------------------------------------------------------------


def create_visit_definition(
    *, protocol_version: ProtocolVersion, by: User, reason: str = "", **values
) -> VisitDefinition:
    require(can_manage_schedule(by, protocol_version.study_id), ONLY_SCHEDULE_MANAGERS)
    definition = VisitDefinition(
        protocol_version=protocol_version, **records.only_fields(values, DEFINITION_FIELDS)
    )
    return records.create_record(definition, by=by, reason=reason)


def update_visit_definition(
    *, definition: VisitDefinition, changes: dict, by: User, reason: str, expected_version: int | None = None
) -> VisitDefinition:
    """Change a visit of the schedule; visits already scheduled from it keep their dates."""
    require(can_manage_schedule(by, definition.protocol_version.study_id), ONLY_SCHEDULE_MANAGERS)
    return records.update_record(
        definition,
        changes=records.only_fields(changes, DEFINITION_FIELDS),
        by=by,
        reason=reason,
        expected_version=expected_version,
    )


def delete_visit_definition(
    *, definition: VisitDefinition, by: User, reason: str, expected_version: int | None = None
) -> None:
    """Only a visit nobody has been scheduled for may leave the schedule; the others stay as history."""
    require(can_manage_schedule(by, definition.protocol_version.study_id), ONLY_SCHEDULE_MANAGERS)
    if definition.scheduled_visits.exists():
        raise ValidationError(
            {
                "code": gettext(
                    "Participants are already scheduled for this visit: amend the protocol instead."
                )
            }
        )
    records.delete_record(definition, by=by, reason=reason, expected_version=expected_version)
