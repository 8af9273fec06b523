"""The study's arms from the registry's arm groups, created or brought up to date by an import."""

from trialdesk.core.models import User
from trialdesk.integrations.registry.importing import REASON, ImportOutcome, _current, _merge
from trialdesk.interop.ctgov import RegistryStudy
from trialdesk.studies import services as study_services
from trialdesk.studies.models import Arm, Study

ARM_TYPES = {
    "EXPERIMENTAL": "experimental",
    "ACTIVE_COMPARATOR": "active_comparator",
    "PLACEBO_COMPARATOR": "placebo_comparator",
    "SHAM_COMPARATOR": "sham_comparator",
    "NO_INTERVENTION": "no_intervention",
}


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
