"""Dispensing kits to participants (the system allocates the kit of their arm) and recording returns."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from trialdesk.core import records
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.subjects.models import Participant
from trialdesk.supply.models import Dispensing, KitStatus
from trialdesk.supply.permissions import ONLY_SITE_STAFF, can_handle_site_ip
from trialdesk.supply.services import allocation
from trialdesk.visits.models import ScheduledVisit


@transaction.atomic
def dispense_kit(
    *,
    participant: Participant,
    by: User,
    dispensed_on: dt.date,
    kit_number: str = "",
    scheduled_visit: ScheduledVisit | None = None,
) -> Dispensing:
    """Give the participant a kit at their site: the system allocates an available, unexpired kit of the
    kit type of their arm (or checks the scanned `kit_number`); a participant not randomized gets none."""
    site_id = participant.study_site_id
    require(can_handle_site_ip(by, study_id=participant.study_id, study_site_id=site_id), ONLY_SITE_STAFF)
    if scheduled_visit is not None and scheduled_visit.participant_id != participant.pk:
        raise ValidationError({"scheduled_visit": gettext("The visit is not one of this participant's.")})
    if not isinstance(dispensed_on, dt.date):
        raise ValidationError({"dispensed_on": gettext("Give the day the kit was dispensed.")})
    kit = allocation.allocate_kit(participant=participant, on=dispensed_on, kit_number=kit_number)
    kit = records.update_record(kit, changes={"status": KitStatus.DISPENSED}, by=by, reason="dispensed")
    return records.create_record(
        Dispensing(
            study_id=participant.study_id,
            study_site_id=site_id,
            participant=participant,
            kit=kit,
            scheduled_visit=scheduled_visit,
            dispensed_on=dispensed_on,
            dispensed_by=by,
        ),
        by=by,
    )


@transaction.atomic
def record_return(
    *,
    dispensing: Dispensing,
    by: User,
    returned_on: dt.date,
    units_returned: int,
    units_expected_taken: int | None = None,
) -> Dispensing:
    """The participant brought the kit back: units left over (for the compliance count); the kit is
    returned to the site's stock for destruction."""
    require(
        can_handle_site_ip(by, study_id=dispensing.study_id, study_site_id=dispensing.study_site_id),
        ONLY_SITE_STAFF,
    )
    if dispensing.returned_on is not None:
        raise ValidationError({"returned_on": gettext("This kit's return is recorded already.")})
    if not isinstance(returned_on, dt.date) or returned_on < dispensing.dispensed_on:
        raise ValidationError(
            {
                "returned_on": gettext("Give a day on or after %(dispensed_on)s.")
                % {"dispensed_on": dispensing.dispensed_on}
            }
        )
    units = dispensing.kit.kit_type.units_per_kit
    if not isinstance(units_returned, int) or not 0 <= units_returned <= units:
        raise ValidationError(
            {
                "units_returned": gettext("Give a whole number from 0 to %(units)s (units in a kit).")
                % {"units": units}
            }
        )
    if units_expected_taken is not None and (
        not isinstance(units_expected_taken, int) or units_expected_taken < 0
    ):
        raise ValidationError({"units_expected_taken": gettext("Give a whole number of units, 0 or more.")})
    changes = {"returned_on": returned_on, "units_returned": units_returned,
               "units_expected_taken": units_expected_taken}  # fmt: skip
    dispensing = records.update_record(
        dispensing, changes=changes, by=by, reason="kit returned", action="returned"
    )
    records.update_record(dispensing.kit, changes={"status": KitStatus.RETURNED}, by=by, reason="returned")
    return dispensing
