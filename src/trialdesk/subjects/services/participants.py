"""Writes for participants: enrolling a screened person, status changes, demographics."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from trialdesk.core import extensions, records
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study
from trialdesk.subjects import rules, selectors
from trialdesk.subjects.models import Consent, Participant, ParticipantStatus, ScreeningEntry
from trialdesk.subjects.permissions import can_record_participant_data
from trialdesk.subjects.services.screening import SITE_STAFF_ONLY

DEMOGRAPHIC_FIELDS = ("sex", "age_at_consent", "ethnicity", "race", "country")


def _signed_consents(consents) -> list[rules.SignedConsent]:
    return [
        rules.SignedConsent(
            version_id=c.consent_version_id, signed_on=c.signed_at.astimezone(c.study_site.zone).date()
        )
        for c in consents.select_related("study_site__institution")
    ]


def _refusal(*, study: Study, site: StudySite, consents, on: date) -> tuple[str, str] | None:
    """Why enrolling at `site` on `on` with these consents is refused (field, text), or None."""
    # Rules of the apps above (a lapsed ethics approval, ...) refuse first, naming their field.
    for field, reasons in extensions.gate_problems(
        extensions.enrollment_gates, study_site=site, on=on
    ).items():
        return field, reasons[0]
    current = rules.current_versions(selectors.approved_versions_at(site), on=on)
    enrolled = Participant.objects.filter(study=study, status__in=rules.COUNTS_AS_ENROLLED)
    return rules.enrollment_refusal_by_field(
        enrolled_on=on,
        site_status=site.status,
        consents=_signed_consents(consents),
        current_version_ids={v.version_id for v in current.values()},
        site_enrolled=enrolled.filter(study_site=site).count(),
        site_target=site.target_enrollment,
        study_enrolled=enrolled.count(),
        study_target=study.planned_enrollment,
        allow_over_enrollment=study.allow_over_enrollment,
    )


def _date_problem(on: date, *, site: StudySite, not_before: date | None, what: str) -> str | None:
    if on > site.local_today():
        return f"The {what} is in the future (today at the site is {site.local_today().isoformat()})."
    if not_before and on < not_before:
        return f"The {what} is before the screening date ({not_before.isoformat()})."
    return None


@transaction.atomic
def enroll_participant(
    *,
    screening_entry: ScreeningEntry,
    by: User,
    enrolled_on: date | None = None,
    number: str | None = None,
    reason: str = "",
    demographics: dict | None = None,
) -> Participant:
    """Enroll a person who passed screening as a participant, with the next number of the study's format
    (or `number`). Refused, naming the reason, when enrollment_refusal says so."""
    require(can_record_participant_data(by, screening_entry.study_site), SITE_STAFF_ONLY)
    # One enrollment at a time per study, so two never take the same number or the last place.
    study = Study.objects.select_for_update().get(pk=screening_entry.study_id)
    # The site as it is now: its status or target may have changed since the entry was read.
    site = StudySite.objects.select_related("institution").get(pk=screening_entry.study_site_id)
    if hasattr(screening_entry, "participant"):
        raise ValidationError(
            {
                "screening_entry": gettext("This person is already enrolled as %(number)s.")
                % {"number": screening_entry.participant.number}
            }
        )
    if screening_entry.outcome != rules.PASSED:
        raise ValidationError(
            {"screening_entry": gettext("Only a person who passed screening can be enrolled.")}
        )
    enrolled_on = enrolled_on or site.local_today()
    problem = _date_problem(
        enrolled_on, site=site, not_before=screening_entry.screened_on, what="enrollment date"
    )
    if problem:
        raise ValidationError({"enrolled_on": problem})
    consents = Consent.objects.filter(screening_entry=screening_entry)
    refusal = _refusal(study=study, site=site, consents=consents, on=enrolled_on)
    if refusal:
        raise ValidationError({refusal[0]: refusal[1]})
    sequence = None
    if not (number or "").strip():
        number, sequence = selectors.next_participant_number(study, site)
    participant = Participant(
        study=study,
        study_site=site,
        screening_entry=screening_entry,
        number=number,
        sequence=sequence,
        status=ParticipantStatus.ENROLLED,
        enrolled_on=enrolled_on,
        status_changed_on=enrolled_on,
        **records.only_fields(demographics or {}, DEMOGRAPHIC_FIELDS),
    )
    participant = records.create_record(participant, by=by, reason=reason)
    for consent in consents:
        records.update_record(
            consent,
            changes={"participant": participant},
            by=by,
            reason=f"The person was enrolled as participant {participant.number}.",
            action="linked",
        )
    # The apps above do their part in the same transaction (the visits app schedules the visits).
    extensions.run_hooks(
        extensions.enrollment_hooks,
        participant=participant,
        first_consent_at=min((consent.signed_at for consent in consents), default=None),
        enrolled_on=enrolled_on,
        by=by,
    )
    return participant


@transaction.atomic
def change_participant_status(
    *,
    participant: Participant,
    to: str,
    on: date | None,
    reason: str,
    by: User,
    expected_version: int | None = None,
) -> Participant:
    """Move a participant along screening → enrolled → (randomized) → on treatment → follow-up →
    completed, or to withdrawn / lost to follow-up / died from any active status, on date `on` (default:
    the site's today) with a reason (kept as the end reason when the participant leaves early).

    Never to randomized: that follows an allocation (mark_randomized, called by randomization)."""
    return _change_status(
        participant,
        to=to,
        on=on,
        reason=reason,
        by=by,
        expected_version=expected_version,
        by_allocation=False,
    )


@transaction.atomic
def mark_randomized(*, participant: Participant, on: date, by: User) -> Participant:
    """Make an enrolled participant randomized. Only the randomization service calls this, in the
    transaction that writes the participant's allocation."""
    return _change_status(
        participant, to=rules.RANDOMIZED, on=on, reason="randomized", by=by, by_allocation=True
    )


def _change_status(
    participant: Participant,
    *,
    to: str,
    on: date | None,
    reason: str,
    by: User,
    by_allocation: bool,
    expected_version: int | None = None,
) -> Participant:
    site = participant.study_site
    require(can_record_participant_data(by, site), SITE_STAFF_ONLY)
    records.require_reason(reason)
    problem = rules.status_change_problem(participant.status, to, by_allocation=by_allocation)
    if problem:
        raise ValidationError({"status": problem})
    on = on or site.local_today()
    problem = rules.status_date_problem(
        on=on,
        today=site.local_today(),
        last_change_on=participant.status_changed_on or participant.enrolled_on,
    )
    if problem:
        raise ValidationError({"on": problem})
    changes = {"status": to, "status_changed_on": on}
    if to == rules.ENROLLED:
        refusal = _refusal(study=participant.study, site=site, consents=participant.consents.all(), on=on)
        if refusal:
            field = {"screening_entry": "status", "enrolled_on": "on"}.get(refusal[0], refusal[0])
            raise ValidationError({field: refusal[1]})
        changes["enrolled_on"] = on
    if to in rules.EARLY_END_STATUSES:
        changes["end_reason"] = reason.strip()
    return records.update_record(
        participant,
        changes=changes,
        by=by,
        reason=reason,
        expected_version=expected_version,
        action="status_changed",
    )


def update_participant(
    *,
    participant: Participant,
    changes: dict,
    by: User,
    reason: str,
    expected_version: int | None = None,
) -> Participant:
    """Change a participant's optional demographics (their number and status change otherwise)."""
    require(can_record_participant_data(by, participant.study_site), SITE_STAFF_ONLY)
    return records.update_record(
        participant,
        changes=records.only_fields(changes, DEMOGRAPHIC_FIELDS),
        by=by,
        reason=reason,
        expected_version=expected_version,
    )
