"""Registry compliance: what ClinicalTrials.gov says of a study against what Trialdesk holds; deadlines.

Reads only: `check_study` for one study, `registry_deadlines` for every study a person may see.
"""

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.db.models import Min, QuerySet
from django.utils import timezone

from trialdesk.core.models import AuditEvent, User
from trialdesk.integrations.models import RegistryRecord
from trialdesk.integrations.registry import applicability, rules
from trialdesk.integrations.registry.facts import applicability_of, paediatric
from trialdesk.interop import ctgov
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Milestone, MilestoneKind, Study
from trialdesk.subjects.models import Participant

PRIMARY_COMPLETION = "Primary completion"
FINISHED_STATUSES = frozenset({"completed", "terminated", "withdrawn"})


@dataclass(frozen=True)
class Difference:
    """One way the registry record and Trialdesk disagree."""

    topic: str  # status, enrollment, dates, sites, site status
    item: str
    registry: str
    trialdesk: str
    site_id: int | None = None


@dataclass(frozen=True)
class RegistryCheck:
    """The registry check of one study: differences, and deadlines with where each stands today."""

    study_id: int
    study_code: str
    nct_number: str
    imported_at: dt.datetime | None
    last_update_posted_on: dt.date | None
    applicable: bool
    differences: tuple[Difference, ...]
    deadlines: tuple[dict, ...]
    # The 42 CFR 11.22(b) test: "yes", "no" or "unknown", why, and the facts missing for an answer.
    applicability: str = applicability.UNKNOWN
    applicability_why: str = ""
    applicability_missing: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        found = asdict(self)
        found["imported_at"] = self.imported_at.isoformat() if self.imported_at else None
        found["last_update_posted_on"] = _iso(self.last_update_posted_on)
        found["deadlines"] = [{**d, "due_on": _iso(d["due_on"])} for d in self.deadlines]
        return found


def _iso(day):
    return day.isoformat() if day else None


@dataclass
class StudyEvidence:
    """What Trialdesk holds about a study that the registry check reads, loaded for many studies at once."""

    sites: list[StudySite] = field(default_factory=list)
    first_enrolled_on: dt.date | None = None
    milestones: dict[tuple[str, str], Milestone] = field(default_factory=dict)
    status_changes: list[dt.date] = field(default_factory=list)  # every change of the study's status

    def milestone(self, kind: str, name: str = "") -> Milestone | None:
        return self.milestones.get((kind, name))


CHECKED_MILESTONES = (
    (MilestoneKind.FIRST_PARTICIPANT_IN, ""),
    (MilestoneKind.CUSTOM, PRIMARY_COMPLETION),
    (MilestoneKind.LAST_PARTICIPANT_LAST_VISIT, ""),
)


def evidence_for(study_ids: list[int]) -> dict[int, StudyEvidence]:
    """Each study's sites, first enrollment, checked milestones and last status change, in four queries."""
    found = {pk: StudyEvidence() for pk in study_ids}
    for site in StudySite.objects.filter(study_id__in=study_ids).select_related("institution"):
        found[site.study_id].sites.append(site)
    firsts = (
        Participant.objects.filter(study_id__in=study_ids, enrolled_on__isnull=False)
        .values("study_id")
        .annotate(first=Min("enrolled_on"))
    )
    for row in firsts:
        found[row["study_id"]].first_enrolled_on = row["first"]
    milestones = Milestone.objects.filter(
        study_id__in=study_ids, study_site__isnull=True, kind__in={kind for kind, _ in CHECKED_MILESTONES}
    ).order_by("-id")
    for milestone in milestones:  # newest first, so the oldest of a kind is the one kept
        if (milestone.kind, milestone.name) in CHECKED_MILESTONES:
            found[milestone.study_id].milestones[(milestone.kind, milestone.name)] = milestone
    changes = AuditEvent.objects.filter(
        object_type="studies.study",
        object_id__in=[str(pk) for pk in study_ids],
        changes__has_key="status",
    ).values_list("object_id", "occurred_at")
    for object_id, occurred_at in changes:
        found[int(object_id)].status_changes.append(occurred_at.date())
    return found


def first_enrolled_on(record: RegistryRecord, evidence: StudyEvidence) -> dt.date | None:
    """First participant enrolled: the participants, else the milestone, else the registry's actual start."""
    if evidence.first_enrolled_on:
        return evidence.first_enrolled_on
    milestone = evidence.milestone(MilestoneKind.FIRST_PARTICIPANT_IN)
    if milestone and milestone.actual_on:
        return milestone.actual_on
    if record.start_on and record.start_type == "ACTUAL":
        return record.start_on
    return None


def registry_facts(study: Study, record: RegistryRecord, evidence: StudyEvidence) -> rules.RegistryFacts:
    primary = evidence.milestone(MilestoneKind.CUSTOM, PRIMARY_COMPLETION)
    if primary and primary.actual_on:
        primary_on, primary_actual = primary.actual_on, True
    else:
        primary_on = record.primary_completion_on
        primary_actual = record.primary_completion_type == "ACTUAL"
    last_visit = evidence.milestone(MilestoneKind.LAST_PARTICIPANT_LAST_VISIT)
    end_of_trial = record.eu_end_of_trial_on
    if end_of_trial is None and last_visit and last_visit.actual_on:
        end_of_trial = last_visit.actual_on
    if end_of_trial is None and record.completion_type == "ACTUAL":
        end_of_trial = record.completion_on
    expected = rules.REGISTRY_STATUS_OF.get(study.status, "")
    return rules.RegistryFacts(
        applicable=applicability_of(record, evidence.sites).applicable,
        registered_on=record.first_submitted_on,
        first_enrolled_on=first_enrolled_on(record, evidence),
        primary_completion_on=primary_on,
        primary_completion_actual=primary_actual,
        results_submitted_on=record.results_first_submitted_on,
        delay_certified_on=record.delay_certified_on,
        delay_certification=record.delay_certification,
        product_approved_on=record.product_approved_on,
        last_update_submitted_on=record.last_update_submitted_on,
        status_changed_on=rules.first_unreported_change(
            evidence.status_changes, last_update_submitted_on=record.last_update_submitted_on
        ),
        registry_status_current=rules.normal_registry_status(record.overall_status) == expected,
        completed=study.status in FINISHED_STATUSES,
        has_eu_site=any(site.institution.country in rules.EU_CTR_COUNTRIES for site in evidence.sites),
        eu_end_of_trial_on=end_of_trial,
        eu_results_submitted_on=record.eu_results_submitted_on,
        paediatric=paediatric(record),
    )


def deadline_rows(
    study: Study, record: RegistryRecord, evidence: StudyEvidence, today: dt.date
) -> list[dict]:
    """The study's registry deadlines in the shape of the obligations board (contracts.md, item 3)."""
    rows = []
    for deadline in rules.registry_deadlines(registry_facts(study, record, evidence)):
        status, days_late = deadline.standing(today)
        rows.append(
            {
                "study_id": study.pk,
                "study_code": study.code,
                "recipient": deadline.recipient,
                "rule": deadline.rule,
                "description": deadline.description,
                "due_on": deadline.due_on,
                "status": status,
                "days_late": days_late,
                "unknown": deadline.unknown,
                "verified": deadline.verified,
            }
        )
    return rows


def check_study(study: Study, *, today: dt.date | None = None, user=None) -> RegistryCheck | None:
    """Compare a study with its imported registry record; None when the study has no registry record.

    With `user`, differences about a study site are kept only for the sites that user may see (the
    registry's own locations are public and always shown).
    """
    record = RegistryRecord.objects.filter(study=study).first()
    if record is None:
        return None
    today = today or timezone.now().date()
    evidence = evidence_for([study.pk])[study.pk]
    found = applicability_of(record, evidence.sites)
    return RegistryCheck(
        study_id=study.pk,
        study_code=study.code,
        nct_number=record.nct_number,
        imported_at=record.imported_at,
        last_update_posted_on=record.last_update_posted_on,
        applicable=found.answer == applicability.YES,
        differences=tuple(_visible(differences(study, record, evidence), user, study)),
        deadlines=tuple(deadline_rows(study, record, evidence, today)),
        applicability=found.answer,
        applicability_why=found.why,
        applicability_missing=found.missing,
    )


def _visible(found: list[Difference], user, study: Study) -> list[Difference]:
    if user is None:
        return found
    visible = set(StudySite.objects.visible_to(user).filter(study=study).values_list("pk", flat=True))
    return [d for d in found if d.site_id is None or d.site_id in visible]


def differences(study: Study, record: RegistryRecord, evidence: StudyEvidence) -> list[Difference]:
    """Status, enrollment, dates, sites and their recruitment status where registry and Trialdesk disagree."""
    found = []
    registry_status = rules.normal_registry_status(record.overall_status)
    expected = rules.REGISTRY_STATUS_OF.get(study.status, "")
    if registry_status and registry_status != expected:
        found.append(
            Difference("status", "Overall status", record.overall_status, study.get_status_display())
        )
    if record.enrollment_count is not None and record.enrollment_count != study.planned_enrollment:
        kind = (record.enrollment_type or "").lower() or "not typed"
        found.append(
            Difference(
                "enrollment",
                "Enrollment",
                f"{record.enrollment_count} ({kind})",
                str(study.planned_enrollment),
            )
        )
    found.extend(_date_differences(record, evidence))
    found.extend(_site_differences(record, evidence.sites))
    return found


def _date_differences(record: RegistryRecord, evidence: StudyEvidence) -> list[Difference]:
    found = []
    checks = (
        (
            "Start (first participant in)",
            record.start_on,
            record.start_type,
            evidence.milestone(MilestoneKind.FIRST_PARTICIPANT_IN),
        ),
        (
            "Primary completion",
            record.primary_completion_on,
            record.primary_completion_type,
            evidence.milestone(MilestoneKind.CUSTOM, PRIMARY_COMPLETION),
        ),
        (
            "Study completion",
            record.completion_on,
            record.completion_type,
            evidence.milestone(MilestoneKind.LAST_PARTICIPANT_LAST_VISIT),
        ),
    )
    for label, registry_on, kind, milestone in checks:
        ours = None
        if milestone:
            ours = milestone.actual_on or milestone.forecast_on or milestone.baseline_on
        if registry_on == ours:
            continue
        registry_text = (
            f"{registry_on.isoformat()} ({(kind or 'untyped').lower()})" if registry_on else "not given"
        )
        ours_text = "no milestone" if milestone is None else (ours.isoformat() if ours else "no date")
        if milestone is not None and milestone.actual_on:
            ours_text += " (actual)"
        found.append(Difference("dates", label, registry_text, ours_text))
    return found


def _site_differences(record: RegistryRecord, sites: list[StudySite]) -> list[Difference]:
    found = []
    by_id = {site.pk: site for site in sites}
    linked = set()
    parsed = _registry_locations(record)
    overall = record.overall_status
    for key, location in parsed.items():
        site = by_id.get(record.location_sites.get(key))
        name = f"{location.facility}, {location.city} ({location.country})"
        if site is None:
            found.append(Difference("sites", name, "listed", "no study site"))
            continue
        linked.add(site.pk)
        registry_status = rules.normal_registry_status(location.status or overall)
        ours = rules.REGISTRY_SITE_STATUS_OF.get(site.status, "")
        if registry_status and registry_status != rules.normal_registry_status(ours):
            found.append(
                Difference(
                    "site status",
                    f"Site {site.site_number}: {name}",
                    location.status or f"{overall} (overall)",
                    site.get_status_display(),
                    site.pk,
                )
            )
    for site in sites:
        if site.pk not in linked and site.status not in ("identified", "under_feasibility", "selected"):
            found.append(
                Difference(
                    "sites",
                    f"Site {site.site_number}: {site.institution}",
                    "not listed",
                    site.get_status_display(),
                    site.pk,
                )
            )
    return found


def _registry_locations(record: RegistryRecord) -> dict[str, ctgov.Location]:
    try:
        parsed = ctgov.parse_record(record.raw, skip_unnamed_locations=True)
    except ctgov.RecordError:
        return {}
    return {location.key: location for location in parsed.locations}


def registry_records_for(user: User) -> QuerySet[RegistryRecord]:
    return RegistryRecord.objects.visible_to(user).select_related("study", "snapshot")


def registry_deadlines(user: User) -> list[dict]:
    """Registry obligations (FDAAA 801, EU CTR) of the studies in the user's scope, earliest due first.

    Each: study_id, study_code, recipient, rule, description, due_on, status ("open"|"done"|"late"),
    days_late (how many days past due, for a late item or one met late; else None), unknown (the fact not
    known on which it depends, e.g. whether the trial is an applicable clinical trial; "" when none) and
    verified (False: the rule's source was not read when it was written).
    """
    today = timezone.now().date()
    records = list(registry_records_for(user))
    evidence = evidence_for([record.study_id for record in records])
    rows = []
    for record in records:
        rows.extend(deadline_rows(record.study, record, evidence[record.study_id], today))
    return sorted(rows, key=lambda row: (row["due_on"], row["study_code"]))
