"""Creating or updating a study, its sites, arms and milestones from a parsed ClinicalTrials.gov record.

Every write goes through the studies and sites services (audited, reason "ClinicalTrials.gov import").
A re-import compares three values for every field it manages: what the previous import wrote, what
Trialdesk holds now, and what the registry says now. A field nobody touched in Trialdesk follows the
registry; a field edited in Trialdesk since the last import is kept and reported as a local edit.

The CRM's own registry facts (FDAAA 801 applicability, a certification to delay results, the EU end of
trial) are recorded here too.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from trialdesk.core import records
from trialdesk.core.models import User
from trialdesk.core.permissions import can_create_study, can_manage_study, require
from trialdesk.integrations.models import RegistryRecord, RegistrySnapshot
from trialdesk.integrations.registry import rules
from trialdesk.integrations.registry.arms import _import_arms
from trialdesk.integrations.registry.importing import (
    REASON,
    ImportOutcome,
    ImportRefused,
    _current,
    _fit,
    _merge,
    _messages,
)
from trialdesk.integrations.registry.locations import _import_sites
from trialdesk.integrations.registry.milestones import _import_milestones
from trialdesk.interop.ctgov import RegistryDate, RegistryStudy
from trialdesk.studies import services as study_services
from trialdesk.studies.models import Study

UNSPECIFIED_AREA = "Not stated in the registry"


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
    "under_ind_ide",
    "ind_ide_number",
    "us_product_exported",
    "paediatric",
    "delay_certification",
    "product_approved_on",
)


@transaction.atomic
def record_registry_facts(*, study: Study, changes: dict, by: User, reason: str) -> RegistryRecord:
    """Record whether FDAAA 801 applies, its facts (IND/IDE, a US-made product exported), a certification
    to delay results and the product's approval date, the EU end of trial and whether it is paediatric.

    A study without an imported registry record gets one from its NCT number, so the facts can be kept
    before the first import.
    """
    require(can_manage_study(by, study.pk))
    changes = records.only_fields(changes, REGISTRY_FACT_FIELDS)
    record = RegistryRecord.objects.filter(study=study).first()
    if record is None:
        if not study.nct_number:
            raise ValidationError({"nct_number": "Give the study its NCT number first."})
        return records.create_record(
            RegistryRecord(study=study, nct_number=study.nct_number, **changes), by=by, reason=reason
        )
    return records.update_record(record, changes=changes, by=by, reason=reason)
