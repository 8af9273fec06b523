"""Writes for informed consent: consent versions, a site's ethics approval of one, consents signed and
consent withdrawn."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from trialdesk.core import extensions, records
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.people.selectors import may_perform
from trialdesk.sites.models import StudySite
from trialdesk.subjects import consent_law, rules, selectors
from trialdesk.subjects.models import (
    Consent,
    ConsentApproval,
    ConsentVersion,
    ConsentWithdrawal,
    Participant,
    ScreeningEntry,
    WithdrawalScope,
)
from trialdesk.subjects.permissions import can_manage_consent_versions, can_record_participant_data
from trialdesk.subjects.services.screening import SITE_STAFF_ONLY

CONSENT_VERSION_FIELDS = (
    "protocol_version",
    "label",
    "language",
    "effective_on",
    "optional_items",
    "summary_of_changes",
)
# Once someone has signed a version, what they signed may not change.
FIELDS_FIXED_ONCE_SIGNED = ("protocol_version", "label", "language", "effective_on", "optional_items")
CRM_ONLY = "Only the study's CRM or an administrator manages consent versions and their approvals."


def create_consent_version(*, study, by: User, reason: str = "", **values) -> ConsentVersion:
    require(can_manage_consent_versions(by, study.pk), CRM_ONLY)
    values = records.only_fields(values, CONSENT_VERSION_FIELDS)
    return records.create_record(ConsentVersion(study=study, **values), by=by, reason=reason)


def update_consent_version(
    *,
    consent_version: ConsentVersion,
    changes: dict,
    by: User,
    reason: str,
    expected_version: int | None = None,
) -> ConsentVersion:
    require(can_manage_consent_versions(by, consent_version.study_id), CRM_ONLY)
    changes = records.only_fields(changes, CONSENT_VERSION_FIELDS)
    if consent_version.consents.exists():
        fixed = {
            name: "This version has been signed: add a new version instead."
            for name in FIELDS_FIXED_ONCE_SIGNED
            if name in changes and changes[name] != getattr(consent_version, name)
        }
        if fixed:
            raise ValidationError(fixed)
    return records.update_record(
        consent_version, changes=changes, by=by, reason=reason, expected_version=expected_version
    )


def record_consent_approval(
    *,
    consent_version: ConsentVersion,
    study_site: StudySite,
    approved_on: date,
    by: User,
    reference: str = "",
    reason: str = "",
) -> ConsentApproval:
    """Record a site's ethics approval of a consent version: from `approved_on` the site uses it."""
    require(can_manage_consent_versions(by, consent_version.study_id), CRM_ONLY)
    if approved_on and (
        problems := extensions.gate_problems(
            extensions.consent_gates, study_site=study_site, consent_version=consent_version, on=approved_on
        )
    ):
        raise ValidationError(problems)
    approval = ConsentApproval(
        study_id=consent_version.study_id,
        consent_version=consent_version,
        study_site=study_site,
        approved_on=approved_on,
        reference=reference,
    )
    return records.create_record(approval, by=by, reason=reason)


def _optional_answers(version: ConsentVersion, answers: dict | None) -> dict[str, bool]:
    """Every optional item of the version with the person's answer (an item not answered is declined)."""
    answers = answers or {}
    unknown = sorted(set(answers) - set(version.optional_items))
    if unknown:
        raise ValidationError(
            {
                "optional_items": gettext("%(version)s has no optional item %(0)s.")
                % {"version": version, "0": repr(unknown[0])}
            }
        )
    return {item: bool(answers.get(item, False)) for item in version.optional_items}


@transaction.atomic
def record_consent(
    *,
    consent_version: ConsentVersion,
    signed_at: datetime | None,
    by: User,
    screening_entry: ScreeningEntry | None = None,
    participant: Participant | None = None,
    obtained_by: str = "",
    optional_items: dict | None = None,
    reason: str = "",
    signer: str = consent_law.PARTICIPANT,
    representative_relationship: str = "",
    minor_assent: str = "",
    age_at_signing: int | None = None,
    majority_on: date | None = None,
) -> Consent:
    """Record a consent signed by a screened person (before enrollment) or a participant (re-consent).

    The consent is refused when dated in the future, when its version is not the one the site uses for
    that language on the day it was signed, when it would come after the person's first study procedure
    (selectors.consent_timing_problem), or when who signed does not fit (a minor's consent is a legally
    authorised representative's, with the child's assent and age: consent_law.signer_problems).
    """
    person = participant or screening_entry
    if person is None or (participant is not None and screening_entry is not None):
        raise ValidationError(gettext("A consent belongs to either a screened person or a participant."))
    site = person.study_site
    require(can_record_participant_data(by, site), SITE_STAFF_ONLY)
    if participant is not None and not participant.is_active:
        raise ValidationError(
            {
                "participant": gettext("Participant %(number)s has left the study (%(value)s).")
                % {"number": participant.number, "value": gettext(participant.get_status_display()).lower()}
            }
        )
    if screening_entry is not None and hasattr(screening_entry, "participant"):
        raise ValidationError(
            {
                "screening_entry": gettext(
                    "This person is enrolled as %(number)s: record the consent on the participant."
                )
                % {"number": screening_entry.participant.number}
            }
        )
    if consent_version.study_id != person.study_id:
        raise ValidationError({"consent_version": gettext("This consent version belongs to another study.")})
    if signed_at is None:
        raise ValidationError({"signed_at": gettext("Say when the consent was signed.")})
    if timezone.is_naive(signed_at):
        signed_at = timezone.make_aware(signed_at, site.zone)  # a time without offset is the site's
    _check_delegated(by, site, signed_at)
    _check_signing(site, consent_version, signed_at)
    signed_on = signed_at.astimezone(site.zone).date()
    if problem := selectors.consent_timing_problem(person, consent_on=signed_on):
        raise ValidationError({"signed_at": problem})
    who = {
        "signer": signer,
        "representative_relationship": (representative_relationship or "").strip(),
        "minor_assent": minor_assent or "",
        "age_at_signing": age_at_signing,
        "majority_on": majority_on,
    }
    _check_signer(site, who, signed_on)
    consent = Consent(
        study_id=person.study_id,
        study_site=site,
        screening_entry=screening_entry,
        participant=participant,
        consent_version=consent_version,
        signed_at=signed_at,
        obtained_by=(obtained_by or "").strip() or by.get_full_name() or by.username,
        optional_items=_optional_answers(consent_version, optional_items),
        **who,
    )
    _check_repeat(person, consent_version, reason)
    return records.create_record(consent, by=by, reason=reason)


def _check_signer(site: StudySite, who: dict, signed_on: date) -> None:
    """Who signed fits the participant's age where the site is (consent_law.signer_problems)."""
    majority = consent_law.age_of_majority(site.institution.country, site.institution.region)
    problems = consent_law.signer_problems(
        signer=who["signer"],
        relationship=who["representative_relationship"],
        assent=who["minor_assent"],
        age=who["age_at_signing"],
        majority_age=majority.age,
        majority_on=who["majority_on"],
        signed_on=signed_on,
    )
    if problems:
        raise ValidationError(problems)


def _check_delegated(by: User, site: StudySite, signed_at: datetime) -> None:
    """Only staff delegated "consent" on the site's delegation log (once it keeps one) record consent."""
    if not may_perform(by, site, "consent", on=signed_at.astimezone(site.zone).date()):
        raise ValidationError(
            {
                "obtained_by": gettext(
                    '%(value)s is not delegated "consent" at site %(site_number)s on its delegation '
                    "log on that day."
                )
                % {"value": by.get_full_name() or by.username, "site_number": site.site_number}
            }
        )


def _check_signing(site: StudySite, version: ConsentVersion, signed_at: datetime) -> None:
    if signed_at > timezone.now():
        raise ValidationError({"signed_at": gettext("The consent date and time are in the future.")})
    problem = rules.consent_signing_problem(
        signed_on=signed_at.astimezone(site.zone).date(),
        today=site.local_today(),
        version_id=version.pk,
        language=version.language,
        approved=selectors.approved_versions_at(site),
    )
    if problem:
        raise ValidationError({"consent_version": problem})


def _check_repeat(person: Participant | ScreeningEntry, version: ConsentVersion, reason: str) -> None:
    """A second consent on the same version by the same person (before or after enrollment) needs a reason."""
    same_person = (
        Q(screening_entry_id=person.pk) if isinstance(person, ScreeningEntry) else Q(participant=person)
    )
    if isinstance(person, Participant) and person.screening_entry_id:
        same_person |= Q(screening_entry_id=person.screening_entry_id)
    earlier = Consent.objects.filter(same_person, consent_version=version).values_list("signed_at", flat=True)
    problem = rules.repeat_consent_problem(
        already_signed_on=[signed_at.astimezone(person.study_site.zone).date() for signed_at in earlier],
        reason=reason,
    )
    if problem:
        raise ValidationError({"reason": problem})


@transaction.atomic
def withdraw_consent(
    *,
    participant: Participant,
    withdrawn_on: date,
    scope: str,
    by: User,
    what_continues: str = "",
    reason: str = "",
) -> ConsentWithdrawal:
    """Record a participant withdrawing consent; a full withdrawal also makes them withdrawn."""
    from trialdesk.subjects.services.participants import change_participant_status

    require(can_record_participant_data(by, participant.study_site), SITE_STAFF_ONLY)
    if not participant.is_active:
        raise ValidationError(
            {
                "participant": gettext("Participant %(number)s has already left the study.")
                % {"number": participant.number}
            }
        )
    last_signed = participant.consents.order_by("-signed_at").values_list("signed_at", flat=True).first()
    if last_signed and withdrawn_on < last_signed.astimezone(participant.study_site.zone).date():
        raise ValidationError(
            {"withdrawn_on": gettext("The withdrawal date is before the participant's latest consent.")}
        )
    withdrawal = ConsentWithdrawal(
        study_id=participant.study_id,
        study_site=participant.study_site,
        participant=participant,
        withdrawn_on=withdrawn_on,
        scope=scope,
        what_continues=what_continues,
    )
    withdrawal = records.create_record(withdrawal, by=by, reason=reason)
    if scope == WithdrawalScope.FULL:
        with_reason = (reason or "").strip() or "Consent withdrawn in full."
        try:
            change_participant_status(
                participant=participant, to=rules.WITHDRAWN, on=withdrawn_on, reason=with_reason, by=by
            )
        except ValidationError as error:
            raise ValidationError({"withdrawn_on": error.messages}) from error
    return withdrawal
