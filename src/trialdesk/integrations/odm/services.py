"""Importing visit completion and participant statuses from an EDC's CDISC ODM 1.3.2 export.

The import reads ClinicalData, matches each SubjectKey to a participant number and each StudyEventOID
to a visit of the schedule (directly: `SE.<visit code>` or the code itself, or through a mapping
file), checks everything first and changes nothing when any problem is found. Visits are then
recorded through visits.services.record_visit and a participant's status (from the EDC's status item,
IT.STATUS by default, its values mapped by the mapping file) changed through
subjects.services.change_participant_status, one audit event each, all in one transaction.
"""

import datetime as dt
import re
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from trialdesk.core.models import User
from trialdesk.core.records import StaleVersion
from trialdesk.integrations.odm.mapping import Mapping
from trialdesk.integrations.odm.report import ImportReport, PlannedStatus, PlannedVisit, Problem
from trialdesk.interop import odm
from trialdesk.interop.odm import writer
from trialdesk.studies.models import Study
from trialdesk.subjects import rules as subject_rules
from trialdesk.subjects import services as subject_services
from trialdesk.subjects.models import Participant
from trialdesk.subjects.permissions import can_record_participant_data
from trialdesk.subjects.selectors import first_consent_on
from trialdesk.visits import rules as visit_rules
from trialdesk.visits import services as visit_services
from trialdesk.visits.models import ScheduledVisit, VisitDefinition, VisitStatus
from trialdesk.visits.permissions import can_record_visits

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$")


def parse_odm_date(value: str) -> dt.date | None:
    """The day of an ODM date or datetime value ("2022-02-12", "2022-02-12T10:00"); None if partial."""
    match = _DATE.match(value.strip())
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _date_item_matches(item_oid: str, wanted: tuple[str, ...]) -> bool:
    last = item_oid.rsplit(".", 1)[-1].upper()
    return any(item_oid == w or last == w.rsplit(".", 1)[-1].upper() for w in wanted)


def _visit_date(
    event: odm.ClinicalEvent, mapping: Mapping, report: ImportReport
) -> tuple[dt.date, str] | None:
    """The visit's date and where it was read: a vendor StartDate, a visit-date item, else an audit stamp."""
    candidates: list[tuple[str, str]] = []
    if event.start_date:
        candidates.append(event.start_date)
    for item_oid, values in event.items.items():
        if _date_item_matches(item_oid, mapping.visit_date_items):
            candidates.extend(values)
    if not candidates and event.audit_stamps:
        candidates.append(min(event.audit_stamps))
    if not candidates:
        return None
    value, where = candidates[0]
    day = parse_odm_date(value)
    if day is None:
        report.problems.append(Problem(where, f"{value!r} is not a full date (YYYY-MM-DD)."))
        return None
    return day, where


class _Schedule:
    """The participants the file names (those the importer may see) and their visits, by number and code."""

    # Participant numbers per query: far below SQLite's limit on bound parameters.
    CHUNK = 500

    def __init__(self, user: User, study: Study, numbers: set[str]):
        self.participants: dict[str, Participant] = {}
        self.visits: dict[tuple[int, str], ScheduledVisit] = {}
        wanted = sorted(numbers)
        for start in range(0, len(wanted), self.CHUNK):
            chunk = wanted[start : start + self.CHUNK]
            by_pk = {
                p.pk: p
                for p in Participant.objects.visible_to(user)
                .filter(study=study, number__in=chunk)
                .select_related("study_site__institution")
            }
            self.participants.update({p.number: p for p in by_pk.values()})
            for visit in (
                ScheduledVisit.objects.visible_to(user)
                .filter(participant_id__in=list(by_pk), definition__isnull=False)
                .select_related("definition")
            ):
                # The participant loaded above, so its site and institution come without a query each.
                visit.participant = by_pk[visit.participant_id]
                self.visits[(visit.participant_id, visit.definition.code.upper())] = visit
        self.codes = {
            code.upper()
            for code in VisitDefinition.objects.filter(protocol_version__study=study).values_list(
                "code", flat=True
            )
        }


def _visit_code(oid: str, mapping: Mapping) -> str:
    if oid in mapping.study_events:
        return mapping.study_events[oid]
    return oid.removeprefix("SE.")


def _check_site(
    subject: odm.ClinicalSubject, participant: Participant, mapping: Mapping, report: ImportReport
) -> None:
    if not subject.site_oid:
        return
    where = f"{subject.xpath}/SiteRef/@LocationOID"
    number = mapping.sites.get(subject.site_oid)
    if number is None and subject.site_oid.startswith("LOC."):
        number = subject.site_oid.removeprefix("LOC.")
    if number is None:
        report.warnings.append(
            Problem(
                where,
                f"site {subject.site_oid!r} is not mapped; participant {participant.number} stays at "
                f"site {participant.study_site.site_number}.",
            )
        )
    elif number != participant.study_site.site_number:
        report.problems.append(
            Problem(
                where,
                f"participant {participant.number} is at site {participant.study_site.site_number} in "
                f"Trialdesk, the file says site {number}; import does not move participants between sites.",
            )
        )


# Schema deviations shown one by one before they are summed up.
SCHEMA_WARNINGS_SHOWN = 5


def _schema_warnings(root, report: ImportReport) -> None:
    """EDC exports often step outside the ODM schema (vendor attributes, extensions) while their
    ClinicalData is sound, so deviations are warned about, not refused; what the import needs is checked."""
    deviations = odm.schema_problems(root)
    for deviation in deviations[:SCHEMA_WARNINGS_SHOWN]:
        line, _, message = deviation.partition(": ")
        report.warnings.append(Problem(line, f"not valid ODM 1.3.2: {message}"))
    if len(deviations) > SCHEMA_WARNINGS_SHOWN:
        report.warnings.append(
            Problem(
                "/ODM",
                f"{len(deviations) - SCHEMA_WARNINGS_SHOWN} more deviations from the ODM 1.3.2 schema.",
            )
        )


def plan_import(
    *, root, study: Study, user: User, mapping: Mapping | None = None, source: str = ""
) -> ImportReport:
    """Check every SubjectData and StudyEventData of the file against the study; change nothing."""
    mapping = mapping or Mapping()
    report = ImportReport(source=source)
    try:
        subjects = odm.read_clinical_data(root)
    except odm.OdmInputError as error:
        report.problems.append(Problem(error.where or "/", error.message))
        return report
    if not subjects:
        report.problems.append(Problem("/ODM", "The file has no ClinicalData/SubjectData to import."))
        return report
    _schema_warnings(root, report)
    schedule = _Schedule(user, study, {mapping.subjects.get(s.key, s.key) for s in subjects if s.key})
    planned: dict[int, PlannedVisit] = {}
    for subject in subjects:
        report.subjects_seen += 1
        if not subject.key:
            report.problems.append(Problem(f"{subject.xpath}/@SubjectKey", "SubjectKey is missing."))
            continue
        if subject.transaction_type == "Remove":
            report.warnings.append(
                Problem(subject.xpath, "TransactionType Remove: participants are not deleted.")
            )
            continue
        number = mapping.subjects.get(subject.key, subject.key)
        participant = schedule.participants.get(number)
        if participant is None:
            report.problems.append(
                Problem(
                    f"{subject.xpath}/@SubjectKey",
                    f"no participant {number!r} in study {study.code} that you can see"
                    + (
                        ""
                        if number != subject.key
                        else "; map the SubjectKey in the mapping file if it differs"
                    )
                    + ".",
                )
            )
            continue
        _check_site(subject, participant, mapping, report)
        for event in subject.events:
            _plan_event(event, participant, schedule, mapping, user, report, planned)
        _plan_status(subject, participant, mapping, user, report)
    report.planned = sorted(planned.values(), key=lambda p: (p.visit.participant.number, p.done_on))
    return report


def _item(subject: odm.ClinicalSubject, oid: str) -> tuple[str, str] | None:
    """The last value (and its XPath) of item `oid` anywhere in the subject's events."""
    found = [value for event in subject.events for value in event.items.get(oid, [])] if oid else []
    return found[-1] if found else None


def _plan_status(
    subject, participant: Participant, mapping: Mapping, user: User, report: ImportReport
) -> None:
    """The participant's status from the EDC's status item, when the file has one and it differs."""
    found = _item(subject, mapping.status_item)
    if found is None:
        return
    value, where = found
    target = mapping.status_for(value)
    if target is None:
        report.problems.append(
            Problem(where, f"{value!r} is not a participant status; map it in the mapping file (statuses).")
        )
        return
    if target == participant.status:
        return
    on = None
    dated = _item(subject, mapping.status_date_item)
    if dated is not None:
        on = parse_odm_date(dated[0])
        if on is None:
            report.problems.append(Problem(dated[1], f"{dated[0]!r} is not a full date (YYYY-MM-DD)."))
            return
    site = participant.study_site
    if not can_record_participant_data(user, site):
        report.problems.append(Problem(where, f"you may not change participants at site {site.site_number}."))
        return
    problem = subject_rules.status_change_problem(participant.status, target)
    if problem is None:
        problem = subject_rules.status_date_problem(
            on=on or site.local_today(),
            today=site.local_today(),
            last_change_on=participant.status_changed_on or participant.enrolled_on,
        )
    if problem:
        report.problems.append(Problem(dated[1] if dated and "date" in problem else where, problem))
        return
    # A participant may appear in several ClinicalData blocks (one per metadata version): the last wins.
    report.statuses = [p for p in report.statuses if p.participant.pk != participant.pk]
    report.statuses.append(PlannedStatus(participant=participant, to=target, on=on, where=where))


def _plan_event(event, participant, schedule, mapping, user, report, planned) -> None:
    if not event.oid:
        report.problems.append(Problem(f"{event.xpath}/@StudyEventOID", "StudyEventOID is missing."))
        return
    if event.oid == writer.COMMON_EVENT:
        return  # participant and randomization facts written by Trialdesk itself: not imported
    if event.oid == writer.UNSCHEDULED_EVENT:
        report.warnings.append(
            Problem(event.xpath, "unscheduled visits are not imported; record them in Trialdesk.")
        )
        return
    if event.transaction_type == "Remove":
        report.warnings.append(
            Problem(event.xpath, "TransactionType Remove: recorded visits are not undone.")
        )
        return
    if event.repeat_key not in ("", "1"):
        report.warnings.append(
            Problem(
                f"{event.xpath}/@StudyEventRepeatKey", "repeats of a visit are not in the schedule; skipped."
            )
        )
        return
    code = _visit_code(event.oid, mapping)
    visit = schedule.visits.get((participant.pk, code.upper()))
    if visit is None:
        where = f"{event.xpath}/@StudyEventOID"
        if code.upper() not in schedule.codes:
            report.problems.append(
                Problem(
                    where,
                    f"{event.oid!r} is not a visit of the schedule of activities; map it to a visit "
                    "code in the mapping file (study_events).",
                )
            )
        else:
            report.problems.append(
                Problem(
                    where,
                    f"participant {participant.number} has no scheduled visit {code}; schedule it first.",
                )
            )
        return
    found = _visit_date(event, mapping, report)
    if found is None:
        if not any(p.where.startswith(event.xpath) for p in report.problems):
            report.warnings.append(
                Problem(event.xpath, "no visit date in this event; the visit is left as it is.")
            )
        return
    done_on, where = found
    site = participant.study_site
    if not can_record_visits(user, site):
        report.problems.append(Problem(event.xpath, f"you may not record visits at site {site.site_number}."))
        return
    problem = visit_rules.visit_date_problem(
        done_on,
        today=site.local_today(),
        enrolled_on=participant.enrolled_on,
        first_consent_on=first_consent_on(participant),
    )
    if problem:
        report.problems.append(Problem(where, problem))
        return
    allowed = visit.allowed_modalities()
    modality = mapping.modality or visit.modality or ("on_site" if "on_site" in allowed else allowed[0])
    if problem := visit_rules.modality_problem(modality, allowed=allowed):
        report.problems.append(Problem(event.xpath, f"modality {modality}: {problem}"))
        return
    earlier = planned.get(visit.pk)
    if earlier is not None and earlier.done_on != done_on:
        report.problems.append(
            Problem(
                where,
                f"visit {code} of {participant.number} is also in {earlier.where} "
                f"with date {earlier.done_on}.",
            )
        )
        return
    if visit.status == VisitStatus.DONE and visit.done_on == done_on:
        report.unchanged += 1
        return
    planned[visit.pk] = PlannedVisit(visit=visit, done_on=done_on, modality=modality, where=where)


def apply_import(report: ImportReport, *, user: User) -> ImportReport:
    """Record the planned visits in one transaction; any refusal undoes them all and is reported."""
    if not report.ok:
        return report
    reason = f"CDISC ODM import{f' ({report.source})' if report.source else ''}"
    try:
        with transaction.atomic():
            for plan in report.planned:
                # The version read while checking: a visit changed since then is not overwritten.
                visit_services.record_visit(
                    scheduled_visit=plan.visit,
                    done_on=plan.done_on,
                    modality=plan.modality,
                    by=user,
                    reason=reason,
                    expected_version=plan.visit.version,
                )
                report.recorded += 1
            for plan in report.statuses:
                subject_services.change_participant_status(
                    participant=plan.participant,
                    to=plan.to,
                    on=plan.on,
                    reason=reason,
                    by=user,
                    expected_version=plan.participant.version,
                )
                report.status_changes += 1
    except (ValidationError, PermissionDenied, StaleVersion) as error:
        report.recorded = report.status_changes = 0
        messages = error.messages if isinstance(error, ValidationError) else [str(error)]
        report.problems.append(Problem(plan.where, "; ".join(messages)))
    return report


def import_file(
    *, path: str | Path, study: Study, user: User, mapping: Mapping | None = None, dry_run: bool = False
) -> ImportReport:
    """Read, check and (unless `dry_run` or a problem was found) apply an ODM ClinicalData file."""
    path = Path(path)
    try:
        root = odm.parse_file(path)
    except odm.OdmInputError as error:
        report = ImportReport(source=path.name)
        report.problems.append(Problem(error.where or "/", error.message))
        return report
    report = plan_import(root=root, study=study, user=user, mapping=mapping, source=path.name)
    return report if dry_run else apply_import(report, user=user)
