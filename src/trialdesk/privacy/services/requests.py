"""The data-subject request log: a request is logged with the day it was received (its deadline follows,
Art 12(3)), possibly extended, and closed as answered or refused with what was done."""

import datetime as dt

from django.core.exceptions import ValidationError

from trialdesk.core import records
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.privacy.models import DataSubjectRequest
from trialdesk.privacy.permissions import ONLY_KEEPERS, can_keep_privacy
from trialdesk.privacy.services.holds import studies_of
from trialdesk.studies.models import Study

REQUEST_FIELDS = ("kind", "subject_kind", "person", "requester_reference", "received_on", "outcome")


def log_request(*, study: Study, values: dict, by: User) -> DataSubjectRequest:
    """Log a request received; it is open and due one month after receipt."""
    require(can_keep_privacy(by, study.pk), ONLY_KEEPERS)
    records.only_fields(values, REQUEST_FIELDS)
    person = values.get("person")
    if person is not None and study.pk not in studies_of(person):
        raise ValidationError(
            {"person": f"{person} holds no role on {study.code}: log it under their study."}
        )
    return records.create_record(DataSubjectRequest(study=study, **values), by=by)


def extend_request(*, request: DataSubjectRequest, by: User, reason: str, expected_version=None):
    """Extend by two further months (Art 12(3)); `reason` is what the person is told."""
    require(can_keep_privacy(by, request.study_id), ONLY_KEEPERS)
    if request.status != "open":
        raise ValidationError({"extended": "Only an open request can be extended."})
    if request.extended:
        raise ValidationError({"extended": "This request was already extended."})
    return records.update_record(
        request, changes={"extended": True}, by=by, reason=reason, expected_version=expected_version
    )


def close_request(
    *,
    request: DataSubjectRequest,
    status: str,
    closed_on: dt.date,
    outcome: str,
    by: User,
    reason: str = "closed",
    expected_version=None,
) -> DataSubjectRequest:
    require(can_keep_privacy(by, request.study_id), ONLY_KEEPERS)
    if request.status != "open":
        raise ValidationError({"status": f"This request is already {request.get_status_display().lower()}."})
    if status not in ("done", "refused"):
        raise ValidationError({"status": "Close a request as 'done' (answered) or 'refused'."})
    if not (outcome or "").strip():
        raise ValidationError({"outcome": "Say what was done, or why the request was refused."})
    return records.update_record(
        request,
        changes={"status": status, "closed_on": closed_on, "outcome": outcome},
        by=by,
        reason=reason,
        expected_version=expected_version,
        action="closed",
    )
