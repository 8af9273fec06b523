"""Writes for site staff: training records, delegation-log entries (created, signed by the PI, ended) and
financial disclosures; each checks permission, validates, saves and audits in one transaction."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from trialdesk.core import records
from trialdesk.core.esign import reauthenticate
from trialdesk.core.models import RoleAssignment, User
from trialdesk.core.permissions import require
from trialdesk.people import rules, selectors
from trialdesk.people.models import DelegationEntry, FinancialDisclosure, TrainingRecord
from trialdesk.people.permissions import (
    can_keep_delegation_log,
    can_keep_training_records,
    can_record_disclosure,
    can_sign_delegation,
)
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import ProtocolVersion, Study

TRAINING_FIELDS = ("title", "completed_on", "expires_on", "provider", "certificate_reference")
ONLY_TRAINING_KEEPERS = gettext_noop(
    "Only the site's coordinators and investigators, or the study's CRM, file training."
)
ONLY_LOG_KEEPERS = gettext_noop(
    "Only the site's coordinators and investigators, or the study's CRM, keep its delegation log."
)
ONLY_INVESTIGATOR_SIGNS = gettext_noop("Only the site's investigator signs its delegation log.")
ONLY_DISCLOSURE_KEEPERS = gettext_noop(
    "Only the study's CRM, or the investigator themselves, records a financial disclosure."
)


def _today(study_site: StudySite | None, study: Study | None) -> dt.date:
    """The site's local date; for a study-wide record, the latest local date among the study's sites (a
    date that is already today where the study runs is not in the future), else UTC's."""
    if study_site is not None:
        return study_site.local_today()
    sites = StudySite.objects.filter(study=study).select_related("institution") if study else []
    return max((site.local_today() for site in sites), default=timezone.now().date())


def _not_in_future(
    day: dt.date | None, *, field: str, study_site: StudySite | None, study: Study | None = None
) -> None:
    if day is not None and day > _today(study_site, study):
        raise ValidationError({field: gettext("This date is in the future.")})


# Training ----------------------------------------------------------------------------------------------


def _works_on_study(person: User, study: Study) -> bool:
    on_study = Q(study=study, study_site__isnull=True) | Q(study_site__study=study)
    return RoleAssignment.objects.filter(on_study, user=person).exists()


def record_training(
    *,
    study: Study,
    staff_member: User,
    kind: str,
    completed_on: dt.date | None,
    by: User,
    study_site: StudySite | None = None,
    protocol_version: ProtocolVersion | None = None,
    expires_on: dt.date | None = None,
    title: str = "",
    provider: str = "",
    certificate_reference: str = "",
    reason: str = "",
) -> TrainingRecord:
    """File a training a staff member of the study completed (GCP, a protocol version, a system)."""
    require(can_keep_training_records(by, study.pk, study_site), gettext(ONLY_TRAINING_KEEPERS))
    if staff_member is None or not _works_on_study(staff_member, study):
        raise ValidationError({"staff_member": gettext("This person has no role on the study.")})
    if completed_on is None:
        raise ValidationError({"completed_on": gettext("Say when the training was completed.")})
    _not_in_future(completed_on, field="completed_on", study_site=study_site, study=study)
    record = TrainingRecord(
        study=study,
        study_site=study_site,
        staff_member=staff_member,
        kind=kind,
        protocol_version=protocol_version,
        completed_on=completed_on,
        expires_on=expires_on,
        title=(title or "").strip(),
        provider=(provider or "").strip(),
        certificate_reference=(certificate_reference or "").strip(),
    )
    return records.create_record(record, by=by, reason=reason)


def correct_training(
    *, record: TrainingRecord, changes: dict, by: User, reason: str, expected_version: int | None = None
) -> TrainingRecord:
    """Correct a training record's dates or details (a new version on the audit trail)."""
    require(can_keep_training_records(by, record.study_id, record.study_site), gettext(ONLY_TRAINING_KEEPERS))
    changes = records.only_fields(changes, TRAINING_FIELDS)
    _not_in_future(
        changes.get("completed_on"), field="completed_on", study_site=record.study_site, study=record.study
    )
    return records.update_record(
        record, changes=changes, by=by, reason=reason, expected_version=expected_version
    )


# Delegation log ----------------------------------------------------------------------------------------


def _refuse_untrained(entry_site: StudySite, staff_member: User, tasks, on: dt.date) -> None:
    gaps = selectors.training_gaps_of(entry_site.study, [staff_member.pk], on=on, tasks=tasks)[
        staff_member.pk
    ]
    if gaps:
        name = staff_member.get_full_name() or staff_member.username
        raise ValidationError(
            {
                "staff_member": gettext(
                    "%(name)s has no current training for these tasks on %(day)s: %(gaps)s. "
                    "Record the training first."
                )
                % {"name": name, "day": on.isoformat(), "gaps": "; ".join(gaps)}
            }
        )


@transaction.atomic
def create_delegation(
    *,
    study_site: StudySite,
    staff_member: User | None,
    tasks: list[str],
    starts_on: dt.date | None,
    by: User,
    study_role: str = "other",
    ends_on: dt.date | None = None,
    reason: str = "",
) -> DelegationEntry:
    """Add a line to the site's delegation log; it takes effect once the site's investigator signs it.

    Refused when the person is not on the site's staff, or their training is not current (GCP, the
    current protocol version, a system for system tasks) on the start date or today, whichever is later.
    """
    require(can_keep_delegation_log(by, study_site), gettext(ONLY_LOG_KEEPERS))
    if staff_member is None or not selectors.site_staff_of(study_site).filter(pk=staff_member.pk).exists():
        raise ValidationError(
            {"staff_member": gettext("Only the site's coordinators and investigators can be put on its log.")}
        )
    if starts_on is None:
        raise ValidationError({"starts_on": gettext("Say from when the tasks are delegated.")})
    entry = DelegationEntry(
        study_id=study_site.study_id,
        study_site=study_site,
        staff_member=staff_member,
        study_role=study_role,
        tasks=list(tasks or []),
        starts_on=starts_on,
        ends_on=ends_on,
    )
    entry.full_clean()
    _refuse_untrained(study_site, staff_member, entry.tasks, max(starts_on, study_site.local_today()))
    return records.create_record(entry, by=by, reason=reason)


@transaction.atomic
def sign_delegation(*, entry: DelegationEntry, password: str, by: User) -> DelegationEntry:
    """The investigator's electronic signature on a delegation, meaning "delegation approved".

    A wrong password signs nothing. Training is checked again: it may have lapsed since the entry was made.
    """
    site = entry.study_site
    require(can_sign_delegation(by, site), gettext(ONLY_INVESTIGATOR_SIGNS))
    reauthenticate(by, password)
    entry = DelegationEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.is_signed:
        raise ValidationError(
            {"entry": gettext("This delegation was signed already by %(name)s.") % {"name": entry.signed_by}}
        )
    today = site.local_today()
    if entry.ends_on is not None and entry.ends_on < today:
        raise ValidationError({"entry": gettext("This delegation has ended; there is nothing to approve.")})
    _refuse_untrained(site, entry.staff_member, entry.tasks, max(entry.starts_on, today))
    return records.update_record(
        entry,
        changes={
            "signed_by": by,
            "signed_at": timezone.now(),
            "meaning": rules.DELEGATION_MEANING,
            "reauthenticated": True,
        },
        by=by,
        reason=rules.DELEGATION_MEANING,
        action="signed",
    )


def end_delegation(
    *,
    entry: DelegationEntry,
    ends_on: dt.date | None,
    by: User,
    reason: str,
    expected_version: int | None = None,
) -> DelegationEntry:
    """Close a delegation on `ends_on` (the last day it holds); the line stays on the log."""
    require(can_keep_delegation_log(by, entry.study_site), gettext(ONLY_LOG_KEEPERS))
    if ends_on is None:
        raise ValidationError({"ends_on": gettext("Say the last day of the delegation.")})
    if entry.ends_on is not None and entry.ends_on <= ends_on:
        raise ValidationError(
            {
                "ends_on": gettext("This delegation ends on %(day)s already.")
                % {"day": entry.ends_on.isoformat()}
            }
        )
    return records.update_record(
        entry,
        changes={"ends_on": ends_on},
        by=by,
        reason=reason,
        expected_version=expected_version,
        action="ended",
    )


# Financial disclosure ----------------------------------------------------------------------------------


def record_disclosure(
    *,
    study_site: StudySite,
    investigator: User | None,
    occasion: str,
    disclosed_on: dt.date | None,
    by: User,
    has_interests: bool = False,
    interests: list | None = None,
    note: str = "",
    reason: str = "",
) -> FinancialDisclosure:
    """Record a financial disclosure collected from one of the site's investigators."""
    require(can_record_disclosure(by, study_site, investigator), gettext(ONLY_DISCLOSURE_KEEPERS))
    investigators = selectors.investigators_of([study_site]).get(study_site.pk, {})
    if investigator is None or investigator.pk not in investigators:
        raise ValidationError(
            {"investigator": gettext("This person is not an investigator or sub-investigator at the site.")}
        )
    if disclosed_on is None:
        raise ValidationError({"disclosed_on": gettext("Say when the disclosure was collected.")})
    _not_in_future(disclosed_on, field="disclosed_on", study_site=study_site)
    if occasion in ("study_close", "one_year_after"):
        closed_on = selectors.study_closed_on(study_site.study)
        if closed_on is None:
            raise ValidationError(
                {
                    "occasion": gettext(
                        "The study has not closed (no actual last-participant-last-visit date)."
                    )
                }
            )
        if disclosed_on < closed_on:
            raise ValidationError(
                {
                    "disclosed_on": gettext("The study closed on %(day)s, after this date.")
                    % {"day": closed_on.isoformat()}
                }
            )
    disclosure = FinancialDisclosure(
        study_id=study_site.study_id,
        study_site=study_site,
        investigator=investigator,
        occasion=occasion,
        disclosed_on=disclosed_on,
        has_interests=bool(has_interests),
        interests=interests if interests is not None else [],
        note=(note or "").strip(),
    )
    return records.create_record(disclosure, by=by, reason=reason)
