"""Writes of recruitment: criteria and their rules, the retention period, candidate uploads, approaching
a candidate (a screening log entry), re-screening and the retention purge."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext, gettext_noop

from trialdesk.core import records
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.interop.eligibility import candidates as candidate_files
from trialdesk.interop.eligibility.text import parse_criteria, registry_age_rule, registry_sex_rule
from trialdesk.recruitment import screening
from trialdesk.recruitment.models import (
    DEFAULT_RETENTION_DAYS,
    Candidate,
    CandidateUpload,
    CriterionSource,
    EligibilityCriterion,
    PrescreeningPolicy,
    PrescreeningPool,
    Section,
)
from trialdesk.recruitment.permissions import can_manage_criteria, can_work_pool
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study
from trialdesk.subjects.services.screening import create_screening_entry

CRITERION_FIELDS = ("section", "position", "text", "rule", "rule_confirmed")
STUDY_TEAM_ONLY = gettext_noop("Only the study's CRM changes its eligibility criteria and retention period.")
POOL_STAFF_ONLY = gettext_noop(
    "Only the site's coordinators and investigators, or the study's CRM, work its pre-screening pool."
)


# Criteria --------------------------------------------------------------------------------------------


def _next_position(study: Study, section: str) -> int:
    found = EligibilityCriterion.objects.filter(study=study, section=section).aggregate(last=Max("position"))
    return (found["last"] or 0) + 1


@transaction.atomic
def create_criterion(
    *, study: Study, by: User, reason: str = "", source: str = CriterionSource.ENTERED, **values
) -> EligibilityCriterion:
    """Add an inclusion or exclusion item (at the end of its section unless a position is given)."""
    require(can_manage_criteria(by, study.pk), gettext(STUDY_TEAM_ONLY))
    values = records.only_fields(values, CRITERION_FIELDS)
    criterion = EligibilityCriterion(study=study, source=source, **values)
    if criterion.position is None and criterion.section in Section.values:
        criterion.position = _next_position(study, criterion.section)
    criterion = records.create_record(criterion, by=by, reason=reason)
    rescreen_study(study)
    return criterion


@transaction.atomic
def update_criterion(
    *,
    criterion: EligibilityCriterion,
    changes: dict,
    by: User,
    reason: str,
    expected_version: int | None = None,
) -> EligibilityCriterion:
    """Change an item's text or rule; a changed rule needs confirming again unless confirmed with it."""
    require(can_manage_criteria(by, criterion.study_id), gettext(STUDY_TEAM_ONLY))
    changes = dict(records.only_fields(changes, CRITERION_FIELDS))
    if "rule" in changes and changes["rule"] != criterion.rule and "rule_confirmed" not in changes:
        changes["rule_confirmed"] = False
    criterion = records.update_record(
        criterion, changes=changes, by=by, reason=reason, expected_version=expected_version
    )
    rescreen_study(criterion.study)
    return criterion


@transaction.atomic
def confirm_rule(*, criterion: EligibilityCriterion, by: User, reason: str = "") -> EligibilityCriterion:
    """A person checked the suggested rule against the text: from now on it is used to pre-screen."""
    return update_criterion(
        criterion=criterion,
        changes={"rule_confirmed": True},
        by=by,
        reason=reason or "rule checked against the text",
    )


@transaction.atomic
def delete_criterion(
    *, criterion: EligibilityCriterion, by: User, reason: str, expected_version: int | None = None
) -> None:
    require(can_manage_criteria(by, criterion.study_id), gettext(STUDY_TEAM_ONLY))
    study = criterion.study
    records.delete_record(criterion, by=by, reason=reason, expected_version=expected_version)
    rescreen_study(study)


@transaction.atomic
def import_criteria_text(
    *,
    study: Study,
    text: str,
    by: User,
    sex: str = "",
    minimum_age: str = "",
    maximum_age: str = "",
    source: str = CriterionSource.ENTERED,
) -> list[EligibilityCriterion]:
    """Add the items of a criteria text with their suggested rules (to be confirmed), after the registry's
    sex and age fields as confirmed rules (they are structured already)."""
    require(can_manage_criteria(by, study.pk), gettext(STUDY_TEAM_ONLY))
    if not (text or "").strip() and not (sex or minimum_age or maximum_age):
        raise ValidationError({"text": gettext("There is no criteria text to import.")})
    made = []
    for rule in filter(None, (registry_age_rule(minimum_age, maximum_age), registry_sex_rule(sex))):
        words = (
            f"Sex: {sex.title()}"
            if rule["kind"] == "sex"
            else f"Ages: {minimum_age or 'no minimum'} to {maximum_age or 'no maximum'}"
        )
        made.append(
            create_criterion(
                study=study,
                by=by,
                section="inclusion",
                text=words,
                rule=rule,
                rule_confirmed=True,
                source=source,
            )
        )
    for item in parse_criteria(text):
        made.append(
            create_criterion(
                study=study, by=by, section=item.section, text=item.text[:4000], rule=item.rule, source=source
            )
        )
    return made


def import_registry_criteria(*, study: Study, by: User) -> list[EligibilityCriterion]:
    """The criteria of the study's ClinicalTrials.gov record (imported by integrations)."""
    registry = getattr(study, "registry_record", None)
    if registry is None:
        raise ValidationError(
            {
                "__all__": gettext(
                    "This study has no ClinicalTrials.gov record; import it first (Integrations)."
                )
            }
        )
    if EligibilityCriterion.objects.filter(study=study).exists():
        raise ValidationError(
            {"__all__": gettext("This study has eligibility criteria already; delete them before importing.")}
        )
    sex, ages, text = _registry_summary(registry.eligibility_summary)
    return import_criteria_text(
        study=study,
        text=text,
        by=by,
        sex=sex,
        minimum_age=ages[0],
        maximum_age=ages[1],
        source=CriterionSource.REGISTRY,
    )


def _registry_summary(summary: str) -> tuple[str, tuple[str, str], str]:
    """The sex, ages and criteria text of a registry record's eligibility summary, whose first line holds
    its structured facts ("Sex: All; Ages: 18 Years to no maximum; Healthy volunteers: no")."""
    head, _, body = (summary or "").partition("\n")
    facts = dict(part.split(": ", 1) for part in head.split("; ") if ": " in part)
    if not {"Sex", "Ages", "Healthy volunteers"} & set(facts):
        return "", ("", ""), summary or ""
    low, _, high = facts.get("Ages", "").partition(" to ")
    ages = tuple("" if part.startswith("no ") else part.strip() for part in (low, high))
    return facts.get("Sex", ""), ages, body


@transaction.atomic
def set_retention(*, study: Study, retention_days: int, by: User, reason: str = "") -> PrescreeningPolicy:
    require(can_manage_criteria(by, study.pk), gettext(STUDY_TEAM_ONLY))
    policy = PrescreeningPolicy.objects.filter(study=study).first()
    if policy is None:
        return records.create_record(
            PrescreeningPolicy(study=study, retention_days=retention_days), by=by, reason=reason
        )
    return records.update_record(
        policy, changes={"retention_days": retention_days}, by=by, reason=reason or "retention period changed"
    )


def retention_days_of(study_id: int) -> int:
    policy = PrescreeningPolicy.objects.filter(study_id=study_id).first()
    return policy.retention_days if policy else DEFAULT_RETENTION_DAYS


# The pool -------------------------------------------------------------------------------------------


def _criteria_of(study_id: int) -> list[EligibilityCriterion]:
    return list(EligibilityCriterion.objects.filter(study_id=study_id).order_by("-section", "position", "id"))


def _screen_into(candidates: list[Candidate], criteria: list[EligibilityCriterion], as_of: dt.date) -> None:
    records_ = [candidate_files.CandidateRecord.from_json(c.facts) for c in candidates]
    found = screening.screen([c.as_criterion() for c in criteria], records_, as_of=as_of)
    for candidate, screened in zip(candidates, found, strict=True):
        candidate.status = screened.status
        candidate.screened_on = as_of
        candidate.results = [
            {"criterion": c.pk, "label": c.label, **r.as_json()}
            for c, r in zip(criteria, screened.criteria, strict=True)
        ]


def rescreen_pool(pool: PrescreeningPool) -> None:
    """Screen every candidate of the pool again with the study's criteria, on the site's today."""
    candidates = list(pool.candidates.all())
    if candidates:
        _screen_into(candidates, _criteria_of(pool.study_id), pool.study_site.local_today())
        Candidate.objects.bulk_update(candidates, ["status", "screened_on", "results"], batch_size=500)


def rescreen_study(study: Study) -> None:
    for pool in PrescreeningPool.objects.filter(study=study).select_related("study_site__institution"):
        rescreen_pool(pool)


def _pool_of(study_site: StudySite, by: User) -> PrescreeningPool:
    pool = PrescreeningPool.objects.filter(study_site=study_site).first()
    if pool is None:
        pool = records.create_record(
            PrescreeningPool(study_id=study_site.study_id, study_site=study_site), by=by
        )
    return pool


@transaction.atomic
def upload_candidates(*, study_site: StudySite, by: User, file_name: str, content: bytes) -> CandidateUpload:
    """Add the candidates of a FHIR Bundle or the CSV template to the site's pool and screen them; a
    candidate already in the pool is replaced. Any bad entry refuses the whole file, naming the entry."""
    require(can_work_pool(by, study_site), gettext(POOL_STAFF_ONLY))
    try:
        found = candidate_files.read_candidate_file(file_name, content)
    except candidate_files.CandidateError as error:
        raise ValidationError({"file": error.problems}) from None
    if not found:
        raise ValidationError({"file": gettext("%(file)s: holds no candidate.") % {"file": file_name}})
    pool = _pool_of(study_site, by)
    upload = records.create_record(
        CandidateUpload(
            pool=pool,
            study_id=study_site.study_id,
            study_site=study_site,
            file_name=file_name[:200],
            candidate_count=len(found),
            uploaded_on=study_site.local_today(),
        ),
        by=by,
    )
    pool.candidates.filter(key__in=[c.key for c in found], screening_entry__isnull=True).delete()
    approached = set(pool.candidates.filter(key__in=[c.key for c in found]).values_list("key", flat=True))
    if approached:
        raise ValidationError(
            {
                "file": [
                    gettext("candidate %(key)s was approached already: give a new key") % {"key": key}
                    for key in sorted(approached)
                ]
            }
        )
    candidates = [Candidate(pool=pool, upload=upload, key=c.key, facts=c.as_json()) for c in found]
    _screen_into(candidates, _criteria_of(study_site.study_id), study_site.local_today())
    Candidate.objects.bulk_create(candidates, batch_size=500)
    return upload


@transaction.atomic
def approach_candidate(
    *, candidate: Candidate, by: User, screening_number: str, screened_on: dt.date | None = None
) -> Candidate:
    """The site approaches a candidate: a screening log entry is made (by screening number only) and
    linked to the candidate, so the log shows who came from pre-screening."""
    site = candidate.pool.study_site
    require(can_work_pool(by, site), gettext(POOL_STAFF_ONLY))
    if candidate.screening_entry_id:
        raise ValidationError({"screening_number": gettext("This candidate was approached already.")})
    entry = create_screening_entry(
        study_site=site,
        by=by,
        screening_number=screening_number,
        screened_on=screened_on or site.local_today(),
        source="clinic",
        source_detail=f"Pre-screening pool, candidate {candidate.key}",
    )
    candidate.screening_entry = entry
    candidate.save(update_fields=["screening_entry"])
    return candidate


# Retention ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PurgeLine:
    site_label: str
    count: int
    cutoff: dt.date
    retention_days: int


@transaction.atomic
def purge_expired_candidates(*, by: User | None, dry_run: bool = False) -> list[PurgeLine]:
    """Delete the candidates of uploads older than their study's retention period (on each site's
    today) and mark the uploads purged on the audit trail. `dry_run` only reports."""
    report = []
    retention: dict[int, int] = {}  # per study, read once
    uploads = CandidateUpload.objects.filter(purged_on__isnull=True).select_related(
        "study", "study_site__institution"
    )
    for upload in uploads.order_by("study__code", "study_site__site_number", "id"):
        if upload.study_id not in retention:
            retention[upload.study_id] = retention_days_of(upload.study_id)
        days = retention[upload.study_id]
        today = upload.study_site.local_today()
        cutoff = today - dt.timedelta(days=days)
        if upload.uploaded_on >= cutoff:
            continue
        count = upload.candidates.count()
        report.append(
            PurgeLine(
                f"{upload.study.code} site {upload.study_site.site_number} ({upload.file_name})",
                count,
                cutoff,
                days,
            )
        )
        if not dry_run:
            upload.candidates.all().delete()
            records.update_record(
                upload,
                changes={"purged_on": today},
                by=by,
                reason=f"retention period of {days} days ended",
                action="purged",
            )
    return report
