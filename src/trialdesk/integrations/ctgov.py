"""Creating or updating a study, its sites, arms and milestones from a parsed ClinicalTrials.gov record.

Every write goes through the studies and sites services (audited, reason "ClinicalTrials.gov import").
A re-import compares three values for every field it manages: what the previous import wrote, what
Trialdesk holds now, and what the registry says now. A field nobody touched in Trialdesk follows the
registry; a field edited in Trialdesk since the last import is kept and reported as a local edit.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from trialdesk.core import records
from trialdesk.core.models import User
from trialdesk.core.permissions import can_create_study, can_manage_study, require
from trialdesk.integrations import rules
from trialdesk.integrations.models import RegistryRecord, RegistrySnapshot
from trialdesk.interop.ctgov import Location, RegistryDate, RegistryStudy
from trialdesk.sites import services as site_services
from trialdesk.sites.models import Institution, SiteStatus, StudySite
from trialdesk.studies import services as study_services
from trialdesk.studies.models import Arm, Milestone, MilestoneKind, Study

REASON = "ClinicalTrials.gov import"
PRIMARY_COMPLETION = "Primary completion"
UNSPECIFIED_AREA = "Not stated in the registry"
MILESTONES = (
    ("start", MilestoneKind.FIRST_PARTICIPANT_IN, ""),
    ("primary_completion", MilestoneKind.CUSTOM, PRIMARY_COMPLETION),
    ("completion", MilestoneKind.LAST_PARTICIPANT_LAST_VISIT, ""),
)
ARM_TYPES = {
    "EXPERIMENTAL": "experimental",
    "ACTIVE_COMPARATOR": "active_comparator",
    "PLACEBO_COMPARATOR": "placebo_comparator",
    "SHAM_COMPARATOR": "sham_comparator",
    "NO_INTERVENTION": "no_intervention",
}


class ImportRefused(Exception):
    """A record that cannot be imported as it stands; nothing of it was written."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass
class ImportOutcome:
    """What importing one record did."""

    nct_number: str
    study_code: str = ""
    study_id: int | None = None
    study_created: bool = False
    study_updated: bool = False
    skipped: bool = False
    sites_created: int = 0
    sites_updated: int = 0
    warnings: list[str] = field(default_factory=list)
    local_edits: list[str] = field(default_factory=list)


def import_record(
    registry: RegistryStudy, *, by: User, code: str = "", today: dt.date | None = None
) -> ImportOutcome:
    """Create or update the study of one record, all or nothing (one transaction)."""
    today = today or timezone.now().date()
    outcome = ImportOutcome(nct_number=registry.nct_number)
    outcome.warnings.extend(str(w) for w in registry.warnings)
    try:
        with transaction.atomic():
            _import(registry, by=by, code=code, today=today, outcome=outcome)
    except ValidationError as error:
        raise ImportRefused("$", _messages(error)) from error
    return outcome


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{name}: {' '.join(m)}" for name, m in error.message_dict.items())
    return " ".join(error.messages)


def _import(registry: RegistryStudy, *, by: User, code: str, today: dt.date, outcome: ImportOutcome) -> None:
    record, study = _existing(registry, code)
    if record and record.last_update_posted_on and registry.last_update_posted_on:
        if registry.last_update_posted_on < record.last_update_posted_on:
            outcome.skipped = True
            outcome.study_code, outcome.study_id = study.code, study.pk
            outcome.warnings.append(
                f"$: older than the record already imported (posted {registry.last_update_posted_on}, "
                f"imported {record.last_update_posted_on}); skipped"
            )
            return
    snapshot = getattr(record, "snapshot", None) if record else None
    previous = snapshot.imported_values if snapshot else {}
    # A study set up in Trialdesk before its registry record was first imported: nothing is overwritten.
    linking = study is not None and snapshot is None
    wanted = _study_values(registry, outcome)
    if study is None:
        require(can_create_study(by), "Only administrators and CRMs import studies.")
        study = study_services.create_study(by=by, reason=REASON, code=code or registry.nct_number, **wanted)
        outcome.study_created = True
        imported = {"study": wanted}
    else:
        require(
            can_manage_study(by, study.pk), "Only the study's CRM or an administrator may import into it."
        )
        wanted.pop("therapeutic_area")
        if not registry.enrollment_count:
            wanted.pop("planned_enrollment")  # the stand-in 1 is for a new study only
        changes, kept, recorded = _merge(
            _current(study, wanted), None if linking else previous.get("study", {}), wanted, "study"
        )
        outcome.local_edits.extend(kept)
        if changes:
            study = study_services.update_study(study=study, changes=changes, by=by, reason=REASON)
            outcome.study_updated = True
        imported = {"study": {**previous.get("study", {}), **recorded}}
    outcome.study_code, outcome.study_id = study.code, study.pk
    # A study created a moment ago has no arms, milestones or sites to look up.
    fresh = outcome.study_created
    imported["arms"] = _import_arms(
        study, registry, None if linking else previous.get("arms", {}), by=by, outcome=outcome, fresh=fresh
    )
    imported["milestones"] = _import_milestones(
        study,
        registry,
        None if linking else previous.get("milestones", {}),
        by=by,
        today=today,
        outcome=outcome,
        fresh=fresh,
    )
    location_sites = dict(snapshot.location_sites) if snapshot else {}
    imported["sites"] = _import_sites(
        study,
        registry,
        location_sites,
        None if linking else previous.get("sites", {}),
        by=by,
        outcome=outcome,
        fresh=fresh,
    )
    _save_record(study, record, registry, by=by, imported=imported, location_sites=location_sites)


def _existing(registry: RegistryStudy, code: str) -> tuple[RegistryRecord | None, Study | None]:
    record = (
        RegistryRecord.objects.select_related("study", "snapshot")
        .filter(nct_number=registry.nct_number)
        .first()
    )
    if record:
        return record, record.study
    study = Study.objects.filter(nct_number=registry.nct_number).first()
    if study is None and code:
        study = Study.objects.filter(code=code).first()
        if study and study.nct_number and study.nct_number != registry.nct_number:
            raise ImportRefused(
                "$.protocolSection.identificationModule.nctId",
                f"study {code} already has NCT number {study.nct_number}, not {registry.nct_number}",
            )
    elif study is None and Study.objects.filter(code=registry.nct_number).exists():
        study = Study.objects.get(code=registry.nct_number)
        if study.nct_number:
            raise ImportRefused("$", f"a study with code {registry.nct_number} has another NCT number")
    if study is not None:
        record = RegistryRecord.objects.filter(study=study).select_related("snapshot").first()
    return record, study


def _study_values(registry: RegistryStudy, outcome: ImportOutcome) -> dict:
    """Trialdesk's study fields as the registry gives them (only those it gives)."""
    p = "$.protocolSection"
    title = registry.brief_title or registry.official_title
    if not title:
        outcome.warnings.append(f"{p}.identificationModule.briefTitle: no title; the NCT number is used")
    has_device = any(i.type == "DEVICE" for i in registry.interventions)
    phase, warning = rules.study_phase(registry.phases, study_type=registry.study_type, has_device=has_device)
    if warning:
        outcome.warnings.append(f"{p}.designModule.phases: {warning}")
    values = {
        "title": _fit(title or registry.nct_number, 500, f"{p}.identificationModule.briefTitle", outcome),
        "acronym": _fit(registry.acronym, 60, f"{p}.identificationModule.acronym", outcome),
        "phase": phase,
        "therapeutic_area": _fit(
            registry.conditions[0] if registry.conditions else UNSPECIFIED_AREA,
            80,
            f"{p}.conditionsModule",
            outcome,
        ),
        "sponsor": _fit(
            registry.lead_sponsor or "Not stated in the registry",
            200,
            f"{p}.sponsorCollaboratorsModule.leadSponsor.name",
            outcome,
        ),
        "nct_number": registry.nct_number,
        "description": registry.brief_summary,
    }
    if registry.masking:
        values["blinded"] = registry.masking != "NONE"
    status = rules.STUDY_STATUS.get(registry.overall_status) or rules.STUDY_STATUS.get(
        registry.last_known_status
    )
    if status:
        values["status"] = status
    elif registry.overall_status:
        outcome.warnings.append(
            f"{p}.statusModule.overallStatus: {registry.overall_status} has no Trialdesk status; "
            "status left as it is"
        )
    if registry.enrollment_count:
        values["planned_enrollment"] = registry.enrollment_count
    else:
        values["planned_enrollment"] = 1
        outcome.warnings.append(
            f"{p}.designModule.enrollmentInfo.count: no enrollment above 0; "
            "a new study gets planned enrollment 1"
        )
    if not registry.lead_sponsor:
        outcome.warnings.append(f"{p}.sponsorCollaboratorsModule.leadSponsor.name: no lead sponsor")
    return values


def _fit(text: str, length: int, path: str, outcome: ImportOutcome) -> str:
    if len(text) <= length:
        return text
    outcome.warnings.append(f"{path}: longer than {length} characters; shortened")
    return text[: length - 1] + "…"


def _current(instance, wanted: dict) -> dict:
    return {name: records_value(getattr(instance, name)) for name in wanted}


def records_value(value):
    """A field value as the import stores it in its bookkeeping (JSON-safe)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _merge(current: dict, previous: dict | None, wanted: dict, what: str) -> tuple[dict, list[str], dict]:
    """(changes to make, local edits kept, values the import now stands for): three-way per field.

    `previous` None means Trialdesk's record existed before it was first linked to the registry: then
    every value already filled in counts as Trialdesk's own and is kept (reported), empty ones are filled.
    """
    changes, kept, recorded = {}, [], {}
    for name, new in wanted.items():
        now, registry_value = current.get(name), records_value(new)
        if now == registry_value:
            recorded[name] = registry_value
            continue
        if previous is None:
            local = now not in ("", None)
        else:
            local = name in previous and previous[name] != now
        if local:
            why = "set before the first import" if previous is None else "edited since the last import"
            kept.append(f"{what} {name}: Trialdesk has {now!r} ({why}), registry says {registry_value!r}")
            recorded[name] = None if previous is None else previous[name]
            continue
        changes[name] = new
        recorded[name] = registry_value
    return changes, kept, recorded


# Arms -------------------------------------------------------------------------------------------------


def _import_arms(
    study: Study,
    registry: RegistryStudy,
    previous: dict | None,
    *,
    by: User,
    outcome: ImportOutcome,
    fresh: bool = False,
) -> dict:
    arms = {} if fresh else {arm.name: arm for arm in Arm.objects.filter(study=study)}
    codes = {arm.code for arm in arms.values()}
    imported = {}
    for group in registry.arm_groups:
        name = group.label[:200]
        wanted = {
            "arm_type": ARM_TYPES.get(group.type, "other"),
            "description": "\n".join(
                part for part in (group.description, ", ".join(group.intervention_names)) if part
            ),
        }
        arm = arms.get(name)
        if arm is None:
            number = len(codes) + 1
            while f"A{number}" in codes:
                number += 1
            codes.add(f"A{number}")
            study_services.create_arm(
                study=study, by=by, reason=REASON, code=f"A{number}", name=name, **wanted
            )
            outcome.study_updated = outcome.study_updated or not fresh
            imported[name] = wanted
            continue
        before = None if previous is None else previous.get(name, {})
        changes, kept, recorded = _merge(_current(arm, wanted), before, wanted, f"arm '{name}'")
        outcome.local_edits.extend(kept)
        if changes:
            study_services.update_arm(arm=arm, changes=changes, by=by, reason=REASON)
            outcome.study_updated = True
        imported[name] = recorded
    return imported


# Milestones -------------------------------------------------------------------------------------------


def _import_milestones(
    study: Study,
    registry: RegistryStudy,
    previous: dict | None,
    *,
    by: User,
    today: dt.date,
    outcome: ImportOutcome,
    fresh: bool = False,
) -> dict:
    imported = {}
    existing = {}
    if not fresh:
        kinds = {kind for _, kind, _ in MILESTONES}
        rows = Milestone.objects.filter(study=study, study_site__isnull=True, kind__in=kinds).order_by("-id")
        existing = {(m.kind, m.name): m for m in rows}  # newest first: the oldest of a kind is kept
    for attribute, kind, name in MILESTONES:
        registry_date: RegistryDate | None = getattr(registry, attribute)
        if registry_date is None:
            continue
        actual = registry_date.is_actual(today)
        if actual and registry_date.on > today:
            outcome.warnings.append(
                f"$.protocolSection.statusModule.{attribute}: an ACTUAL date in the future "
                f"({registry_date.on}); kept as forecast"
            )
            actual = False
        key = name or kind
        milestone = existing.get((kind, name))
        on = registry_date.on
        if milestone is None:
            values = {"actual_on": on} if actual else {"baseline_on": on, "forecast_on": on}
            study_services.create_milestone(study=study, by=by, reason=REASON, kind=kind, name=name, **values)
            outcome.study_updated = outcome.study_updated or not fresh
            imported[key] = {k: v.isoformat() for k, v in values.items()}
            continue
        wanted = {"actual_on": on} if actual else {"forecast_on": on}
        before = None if previous is None else previous.get(key, {})
        changes, kept, recorded = _merge(_current(milestone, wanted), before, wanted, f"milestone '{key}'")
        outcome.local_edits.extend(kept)
        if changes:
            study_services.update_milestone(milestone=milestone, changes=changes, by=by, reason=REASON)
            outcome.study_updated = True
        imported[key] = {**(before or {}), **recorded}
    return imported


# Sites ------------------------------------------------------------------------------------------------


def _institution_values(location: Location) -> dict:
    return {
        "name": location.facility[:200],
        "city": location.city[:100],
        "region": location.state[:100],
        "postal_code": location.zip[:20],
        "country": location.country,
        "time_zone": location.time_zone,
    }


def _import_sites(
    study: Study,
    registry: RegistryStudy,
    location_sites: dict,
    previous: dict | None,
    *,
    by: User,
    outcome: ImportOutcome,
    fresh: bool = False,
) -> dict:
    """Each location's study site: the one linked before, else the study's site at that institution,
    else a new one. A site found by its institution counts as Trialdesk's own: nothing of it is
    overwritten."""
    sites = {}
    if not fresh:
        sites = {s.pk: s for s in StudySite.objects.filter(study=study).select_related("institution")}
    numbers = {site.site_number for site in sites.values()}
    linked = set(location_sites.values())
    by_institution = {
        (s.institution.name, s.institution.city, s.institution.country): s
        for s in sites.values()
        if s.pk not in linked
    }
    institutions = _known_institutions(registry.locations)
    imported = {}
    seen = set()
    for location in registry.locations:
        if location.key in seen:
            outcome.warnings.append(f"{location.path}: the same facility is listed twice; imported once")
            continue
        seen.add(location.key)
        status = rules.SITE_STATUS.get(location.status or registry.overall_status)
        site = sites.get(location_sites.get(location.key))
        site_previous = None if previous is None else previous.get(str(site.pk), {}) if site else {}
        if site is None:
            values = _institution_values(location)
            site = by_institution.pop((values["name"], values["city"], values["country"]), None)
            site_previous = None
        try:
            if site is None:
                site = _create_site(study, location, status, numbers, institutions, by=by)
                location_sites[location.key] = site.pk
                outcome.sites_created += 1
                imported[str(site.pk)] = {"status": site.status, "institution": _institution_values(location)}
                continue
            location_sites[location.key] = site.pk
            imported[str(site.pk)] = _update_site(
                site, location, status, site_previous, by=by, outcome=outcome
            )
        except ValidationError as error:
            raise ImportRefused(location.path, _messages(error)) from error
    return imported


def _known_institutions(locations: tuple[Location, ...]) -> dict[tuple, Institution]:
    names = {location.facility[:200] for location in locations}
    found = {}
    for institution in Institution.objects.filter(name__in=names, department=""):
        found[(institution.name, institution.city, institution.country)] = institution
    return found


def _create_site(
    study, location: Location, status: str | None, numbers: set, institutions: dict, *, by
) -> StudySite:
    """A new study site at the registry's status, in one audited create.

    The site is recorded as it stands in the registry rather than walked through every earlier status:
    the import did not witness those steps, so the audit trail should not claim it did.
    """
    values = _institution_values(location)
    institution = institutions.get((values["name"], values["city"], values["country"]))
    if institution is None:
        institution = site_services.create_institution(by=by, reason=REASON, **values)
        institutions[(values["name"], values["city"], values["country"])] = institution
    number = len(numbers) + 1
    while f"{number:03d}" in numbers:
        number += 1
    numbers.add(f"{number:03d}")
    require(can_manage_study(by, study.pk))
    site = StudySite(study=study, institution=institution, site_number=f"{number:03d}")
    if status:
        site.status = status
        if status == SiteStatus.ON_HOLD:
            site.status_before_hold = SiteStatus.ENROLLING
    return records.create_record(site, by=by, reason=REASON)


def _update_site(
    site: StudySite, location: Location, status: str | None, previous: dict | None, *, by, outcome
) -> dict:
    """Bring a linked site and its institution up to the registry, keeping Trialdesk's own changes."""
    label = f"site {site.site_number}"
    wanted = _institution_values(location)
    before = None if previous is None else previous.get("institution", {})
    changes, kept, recorded = _merge(
        _current(site.institution, wanted), before, wanted, f"{label} institution"
    )
    outcome.local_edits.extend(kept)
    imported = {"institution": {**(before or {}), **recorded}}
    if changes:
        site_services.update_institution(institution=site.institution, changes=changes, by=by, reason=REASON)
    moved = _follow_status(site, location, status, previous, imported, by=by, outcome=outcome)
    if changes or moved:
        outcome.sites_updated += 1
    return imported


def _follow_status(site, location, status, previous, imported, *, by, outcome) -> bool:
    """Walk the site along its lifecycle to the registry's status, unless Trialdesk changed it itself."""
    label = f"site {site.site_number}"
    if status is None:
        return False
    if status == site.status:
        imported["status"] = status
        return False
    own = previous is None or ("status" in previous and previous["status"] != site.status)
    if own:
        why = "set before the first import" if previous is None else "changed since the last import"
        outcome.local_edits.append(
            f"{label} status: Trialdesk has {site.status!r} ({why}), registry says {status!r}"
        )
        if previous and "status" in previous:
            imported["status"] = previous["status"]
        return False
    path = rules.site_status_path(site.status, status, status_before_hold=site.status_before_hold)
    if path is None:
        outcome.warnings.append(
            f"{location.path}.status: {label} cannot move from {site.status} to {status} "
            "along the site lifecycle; left as it is"
        )
        imported["status"] = site.status
        return False
    for step in path:
        site = site_services.change_site_status(study_site=site, to=step, by=by, reason=REASON)
    imported["status"] = status
    return True


# The registry record ----------------------------------------------------------------------------------


def _save_record(
    study: Study,
    record: RegistryRecord | None,
    registry: RegistryStudy,
    *,
    by,
    imported: dict,
    location_sites: dict,
) -> None:
    snapshot = getattr(record, "snapshot", None) if record else None
    values = _record_values(registry)
    if record is None:
        record = records.create_record(RegistryRecord(study=study, **values), by=by, reason=REASON)
    else:
        record = records.update_record(record, changes=values, by=by, reason=REASON)
    values = {
        "raw": registry.raw,
        "imported_values": imported,
        "location_sites": location_sites,
        "imported_at": timezone.now(),
    }
    if snapshot is None:
        RegistrySnapshot.objects.create(record=record, **values)
    else:
        RegistrySnapshot.objects.filter(pk=snapshot.pk).update(**values)


def _record_values(registry: RegistryStudy) -> dict:
    def on(value: RegistryDate | None):
        return value.on if value else None

    def kind(value: RegistryDate | None) -> str:
        return value.kind if value else ""

    return {
        "nct_number": registry.nct_number,
        "brief_title": registry.brief_title,
        "official_title": registry.official_title,
        "overall_status": registry.overall_status,
        "study_type": registry.study_type,
        "phases": list(registry.phases),
        "lead_sponsor": registry.lead_sponsor[:300],
        "collaborators": list(registry.collaborators),
        "conditions": list(registry.conditions),
        "interventions": [{"type": i.type, "name": i.name} for i in registry.interventions],
        "primary_outcomes": [
            {"measure": o.measure, "time_frame": o.time_frame} for o in registry.primary_outcomes
        ],
        "secondary_outcomes": [
            {"measure": o.measure, "time_frame": o.time_frame} for o in registry.secondary_outcomes
        ],
        "eligibility_summary": registry.eligibility_summary,
        "enrollment_count": registry.enrollment_count,
        "enrollment_type": registry.enrollment_type,
        "start_on": on(registry.start),
        "start_type": kind(registry.start),
        "primary_completion_on": on(registry.primary_completion),
        "primary_completion_type": kind(registry.primary_completion),
        "completion_on": on(registry.completion),
        "completion_type": kind(registry.completion),
        "first_submitted_on": registry.first_submitted_on,
        "results_first_submitted_on": registry.results_first_submitted_on,
        "last_update_submitted_on": registry.last_update_submitted_on,
        "last_update_posted_on": registry.last_update_posted_on,
        "is_fda_regulated": registry.is_fda_regulated,
    }


# The CRM's registry facts -----------------------------------------------------------------------------

REGISTRY_FACT_FIELDS = (
    "applicable_clinical_trial",
    "delay_certified_on",
    "eu_end_of_trial_on",
    "eu_results_submitted_on",
)


@transaction.atomic
def record_registry_facts(*, study: Study, changes: dict, by: User, reason: str) -> RegistryRecord:
    """Record whether FDAAA 801 applies, a certification to delay results, and the EU end of trial.

    A study without an imported registry record gets one from its NCT number, so the facts can be kept
    before the first import.
    """
    require(can_manage_study(by, study.pk))
    records.only_fields(changes, REGISTRY_FACT_FIELDS)
    record = RegistryRecord.objects.filter(study=study).first()
    if record is None:
        if not study.nct_number:
            raise ValidationError({"nct_number": "Give the study its NCT number first."})
        return records.create_record(
            RegistryRecord(study=study, nct_number=study.nct_number, **changes), by=by, reason=reason
        )
    return records.update_record(record, changes=changes, by=by, reason=reason)
