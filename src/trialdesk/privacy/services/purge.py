"""`trialdesk privacy purge`: delete or anonymise what is past its retention period (privacy.rules.retention),
never what a legal hold keeps, each change audited with what was purged and never the purged values.

- contact details of staff who left, 2 years after the account was closed: e-mail removed, password made
  unusable, API tokens deleted;
- names of staff who left, once every study they worked on is past its TMF period: name and username
  replaced by "former-N";
- data-subject requests, 3 years after closing: deleted (they hold a reference, never a name);
- a study's trial master file, 25 years after the end of the trial: listed for the sponsor to decide;
  Trialdesk deletes no trial record.

- pre-screening candidates, the study's pre-screening policy's days after their upload (recruitment):
  deleted, their upload marked purged (the candidates' facts were never on the audit trail).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from trialdesk.core import audit, records
from trialdesk.core.models import ApiToken, AuditEvent, User
from trialdesk.privacy.models import DataSubjectRequest, PurgeRun
from trialdesk.privacy.register import trial_end
from trialdesk.privacy.rules import retention
from trialdesk.privacy.services import holds as legal_holds
from trialdesk.recruitment.models import CandidateUpload
from trialdesk.recruitment.services import retention_days_of
from trialdesk.studies.models import Study


class HeldRecords(Exception):
    """The records asked for are under a legal hold; nothing was purged."""

    def __init__(self, lines: list[str]):
        super().__init__("; ".join(lines))
        self.lines = lines


@dataclass
class PurgeReport:
    dry_run: bool
    purged: list[dict] = field(default_factory=list)
    refused: list[dict] = field(default_factory=list)
    due: list[dict] = field(default_factory=list)

    def lines(self) -> list[str]:
        verb = "would purge" if self.dry_run else "purged"
        found = [
            f"{verb} {row['record']} {row['id']}: {', '.join(row['what'])} ({row['rule']})"
            for row in self.purged
        ]
        found += [f"refused {row['record']} {row['id']}: {row['why']}" for row in self.refused]
        found += [f"past retention {row['study']}: {row['why']}" for row in self.due]
        found.append(
            f"{len(self.purged)} {verb}, {len(self.refused)} refused (legal hold), "
            f"{len(self.due)} for the sponsor"
        )
        return found


def _closed_on(person: User) -> dt.date | None:
    """The day the account was last closed, from its audit events."""
    closed = (
        AuditEvent.objects.filter(
            object_type="core.user", object_id=str(person.pk), action="user.deactivated"
        )
        .order_by("-id")
        .values_list("occurred_at", flat=True)
        .first()
    )
    return timezone.localdate(closed) if closed else None


def _has_contact(person: User) -> bool:
    return bool(person.email) or person.has_usable_password() or ApiToken.objects.filter(user=person).exists()


def _identity_expired(person: User, today: dt.date) -> bool:
    for study in Study.objects.filter(pk__in=legal_holds.studies_of(person)):
        if not retention.is_past("staff_identity", start=trial_end(study), today=today):
            return False
    return True


def _leavers(report: PurgeReport, today: dt.date, holds, people) -> list[tuple[User, list[str], str]]:
    work = []
    for person in people:
        closed = _closed_on(person)
        if not retention.is_past("staff_contact", start=closed, today=today):
            continue
        what, rule = [], "staff_contact"
        if _has_contact(person):
            what = ["email", "password", "api_tokens"]
        if not person.username.startswith("former-") and _identity_expired(person, today):
            what, rule = [*what, "first_name", "last_name", "username"], "staff_identity"
        if not what:
            continue
        hold = legal_holds.hold_on_person(person, holds)
        if hold is not None:
            report.refused.append({"record": "core.user", "id": person.pk, "why": legal_holds.describe(hold)})
            continue
        work.append((person, what, rule))
    return work


def _anonymise(person: User, what: list[str], rule: str, by: User | None) -> None:
    current = User.objects.select_for_update().get(pk=person.pk)
    if "email" in what:
        current.email = ""
        current.set_unusable_password()
        ApiToken.objects.filter(user=current).delete()
    if "username" in what:
        current.first_name, current.last_name, current.username = "", "", f"former-{current.pk}"
    current.save()
    found = retention.rule(rule)
    audit.record(
        target=current,
        action="user.purged",
        by=by,
        before=None,
        after={"purged": what, "rule": rule},
        reason=f"retention: {found.period} ({found.basis})",
    )


def _requests(report: PurgeReport, today: dt.date, holds, requests) -> list[DataSubjectRequest]:
    work = []
    for request in requests.exclude(closed_on=None):
        if not retention.is_past("data_subject_request", start=request.closed_on, today=today):
            continue
        hold = legal_holds.hold_on_study(request.study_id, holds, person_id=request.person_id)
        if hold is not None:
            report.refused.append(
                {"record": "privacy.datasubjectrequest", "id": request.pk, "why": legal_holds.describe(hold)}
            )
            continue
        work.append(request)
    return work


def _uploads(report: PurgeReport, today: dt.date, holds, uploads) -> list[tuple[CandidateUpload, int]]:
    work = []
    for upload in uploads:
        days = retention_days_of(upload.study_id)
        if upload.uploaded_on >= today - dt.timedelta(days=days):
            continue
        hold = legal_holds.hold_on_study(upload.study_id, holds)
        if hold is not None:
            report.refused.append(
                {"record": "recruitment.candidateupload", "id": upload.pk, "why": legal_holds.describe(hold)}
            )
            continue
        work.append((upload, days))
    return work


def _purge_upload(upload: CandidateUpload, days: int, today: dt.date, by: User | None) -> None:
    upload.candidates.all().delete()
    records.update_record(
        upload,
        changes={"purged_on": today},
        by=by,
        reason=f"retention: {days} days after upload (the study's pre-screening policy)",
        action="purged",
    )


def _due_studies(report: PurgeReport, today: dt.date, studies) -> None:
    for study in studies:
        ended = trial_end(study)
        if retention.is_past("trial_master_file", start=ended, today=today):
            until = retention.kept_until("trial_master_file", start=ended)
            report.due.append(
                {
                    "study": study.code,
                    "why": f"trial master file kept until {until}; the sponsor decides on destruction",
                }
            )


def _refuse_held_targets(only_user: User | None, only_study: Study | None, holds) -> None:
    lines = []
    if only_user is not None and (hold := legal_holds.hold_on_person(only_user, holds)):
        lines.append(f"--user: {only_user.username} is under {legal_holds.describe(hold)}.")
    if only_study is not None and (hold := legal_holds.hold_on_study(only_study.pk, holds)):
        lines.append(f"--study: {only_study.code} is under {legal_holds.describe(hold)}.")
    if lines:
        raise HeldRecords(lines)


@transaction.atomic
def purge(
    *,
    today: dt.date,
    dry_run: bool = False,
    only_user: User | None = None,
    only_study: Study | None = None,
    by: User | None = None,
) -> PurgeReport:
    """Purge (or with `dry_run` list) what is past its period; a named person or study under a legal
    hold is refused as a whole (HeldRecords), others under a hold are listed as refused and left alone."""
    holds = list(legal_holds.holds_in_force())
    _refuse_held_targets(only_user, only_study, holds)
    report = PurgeReport(dry_run=dry_run)
    people = User.objects.filter(is_active=False).order_by("pk")
    requests = DataSubjectRequest.objects.order_by("pk")
    studies = Study.objects.order_by("code")
    uploads = CandidateUpload.objects.filter(purged_on__isnull=True).order_by("pk")
    if only_user is not None:
        people, requests, studies = (
            people.filter(pk=only_user.pk),
            requests.filter(person=only_user),
            studies.none(),
        )
        uploads = uploads.none()
    if only_study is not None:
        people = people.filter(pk__in=_people_of(only_study))
        requests, studies = requests.filter(study=only_study), studies.filter(pk=only_study.pk)
        uploads = uploads.filter(study=only_study)
    leavers = _leavers(report, today, holds, people)
    old_requests = _requests(report, today, holds, requests)
    old_uploads = _uploads(report, today, holds, uploads)
    _due_studies(report, today, studies)
    for person, what, rule in leavers:
        report.purged.append({"record": "core.user", "id": person.pk, "what": what, "rule": rule})
        if not dry_run:
            _anonymise(person, what, rule, by)
    for request in old_requests:
        report.purged.append(
            {
                "record": "privacy.datasubjectrequest",
                "id": request.pk,
                "what": ["record"],
                "rule": "data_subject_request",
            }
        )
        if not dry_run:
            records.delete_record(request, by=by, reason=_reason("data_subject_request"))
    for upload, days in old_uploads:
        report.purged.append(
            {
                "record": "recruitment.candidateupload",
                "id": upload.pk,
                "what": ["candidates"],
                "rule": "candidate_pool",
            }
        )
        if not dry_run:
            _purge_upload(upload, days, today, by)
    if report.purged and not dry_run:
        run = PurgeRun(ran_at=timezone.now(), purged=report.purged, refused=report.refused)
        records.create_record(run, by=by, reason="retention periods reached (trialdesk privacy purge)")
    return report


def _people_of(study: Study):
    from trialdesk.core.models import RoleAssignment

    on_study = RoleAssignment.objects.filter(study=study).values_list("user_id", flat=True)
    at_sites = RoleAssignment.objects.filter(study_site__study=study).values_list("user_id", flat=True)
    return set(on_study) | set(at_sites)


def _reason(record: str) -> str:
    found = retention.rule(record)
    return f"retention: {found.period} ({found.basis})"
