"""The study's start and completion milestones from the registry's dates, created or brought up to date."""

import datetime as dt

from trialdesk.core.models import User
from trialdesk.integrations.registry.importing import REASON, ImportOutcome, _current, _merge
from trialdesk.interop.ctgov import RegistryDate, RegistryStudy
from trialdesk.studies import services as study_services
from trialdesk.studies.models import Milestone, MilestoneKind, Study

PRIMARY_COMPLETION = "Primary completion"
MILESTONES = (
    ("start", MilestoneKind.FIRST_PARTICIPANT_IN, ""),
    ("primary_completion", MilestoneKind.CUSTOM, PRIMARY_COMPLETION),
    ("completion", MilestoneKind.LAST_PARTICIPANT_LAST_VISIT, ""),
)


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
