"""Writes for a site's screening log: each person screened, by screening number only, and the outcome."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from trialdesk.core import records
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.sites.models import StudySite
from trialdesk.subjects import rules
from trialdesk.subjects.models import ScreeningEntry
from trialdesk.subjects.permissions import can_record_participant_data
from trialdesk.subjects.selectors.consent_timing import consent_timing_problem

SCREENING_FIELDS = (
    "screening_number",
    "screened_on",
    "source",
    "source_detail",
    "outcome",
    "failure_reason",
    "failure_detail",
    "first_assessment_on",
)
SITE_STAFF_ONLY = "Only the site's coordinators and investigators, or the study's CRM, record this."


def create_screening_entry(*, study_site: StudySite, by: User, reason: str = "", **values) -> ScreeningEntry:
    """Add a person screened at `study_site` to its screening log."""
    require(can_record_participant_data(by, study_site), SITE_STAFF_ONLY)
    entry = ScreeningEntry(
        study_id=study_site.study_id,
        study_site=study_site,
        **records.only_fields(values, SCREENING_FIELDS),
    )
    _check_first_assessment(entry, entry.first_assessment_on)
    return records.create_record(entry, by=by, reason=reason)


def _check_first_assessment(entry: ScreeningEntry, first_assessment_on) -> None:
    """The first screening assessment is a study procedure: not before the person's consent, nor in the
    future (selectors.consent_timing_problem, the one gate on that order)."""
    if first_assessment_on is None:
        return
    if first_assessment_on > entry.study_site.local_today():
        raise ValidationError({"first_assessment_on": gettext("The first assessment date is in the future.")})
    if problem := consent_timing_problem(entry, first_assessment_on=first_assessment_on):
        raise ValidationError({"first_assessment_on": problem})


def update_screening_entry(
    *,
    screening_entry: ScreeningEntry,
    changes: dict,
    by: User,
    reason: str,
    expected_version: int | None = None,
) -> ScreeningEntry:
    """Change an entry, e.g. record the outcome of screening; an enrolled person's entry stays passed."""
    require(can_record_participant_data(by, screening_entry.study_site), SITE_STAFF_ONLY)
    changes = records.only_fields(changes, SCREENING_FIELDS)
    enrolled = hasattr(screening_entry, "participant")
    if enrolled and changes.get("outcome", rules.PASSED) != rules.PASSED:
        raise ValidationError(
            {
                "outcome": gettext(
                    "This person is enrolled as participant %(number)s: change the participant's "
                    "status instead."
                )
                % {"number": screening_entry.participant.number}
            }
        )
    if changes.get("first_assessment_on") is not None:
        _check_first_assessment(screening_entry, changes["first_assessment_on"])
    return records.update_record(
        screening_entry, changes=changes, by=by, reason=reason, expected_version=expected_version
    )
