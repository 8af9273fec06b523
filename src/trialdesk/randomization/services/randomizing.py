"""Randomizing a participant: from the scheme's allocation list, or by minimization."""

from collections.abc import Mapping

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from trialdesk.analytics.randomization import Factor, RandomizationInputError, choose_arm, minimization_scores
from trialdesk.core import records
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.randomization import rules
from trialdesk.randomization.models import (
    Allocation,
    Method,
    RandomizationScheme,
    RandomizationSlot,
    SchemeStatus,
)
from trialdesk.randomization.permissions import may_randomize
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Arm
from trialdesk.subjects import services as subject_services
from trialdesk.subjects.models import Participant, ParticipantStatus
from trialdesk.visits import services as visit_services

# Two people taking the same slot at once: the loser looks again. More retries than this is a bug.
SLOT_ATTEMPTS = 20


# --- randomizing -------------------------------------------------------------------------------


def randomize(*, participant: Participant, factor_levels: Mapping[str, str], by: User) -> Allocation:
    """Assign an enrolled participant an arm by the study's active scheme, atomically.

    Permuted blocks: the next unused slot of the participant's stratum, taken so that two people
    randomizing at once never get the same slot. Minimization: the scores come from the allocations
    made so far, counted while the scheme is locked, so no allocation is missed.
    """
    require(may_randomize(by, participant), gettext("Only the site's staff or the study's CRM randomize."))
    with transaction.atomic():
        participant = Participant.objects.select_for_update().get(pk=participant.pk)
        _check_randomizable(participant)
        scheme = _active_scheme(participant.study_id)
        levels = _levels(scheme, factor_levels)
        if scheme.method == Method.PERMUTED_BLOCKS:
            allocation = _allocate_from_list(scheme, participant, levels)
        else:
            allocation = _allocate_by_minimization(scheme, participant, levels)
        allocation.randomized_by = by
        records.create_record(allocation, by=by, reason="randomized")
        _mark_randomized(participant, by=by)
        return allocation


def _check_randomizable(participant: Participant) -> None:
    if Allocation.objects.filter(participant=participant).exists():
        raise ValidationError(
            {
                "participant": gettext("Participant %(number)s is already randomized.")
                % {"number": participant.number}
            }
        )
    if participant.status != ParticipantStatus.ENROLLED:
        raise ValidationError(
            {
                "participant": gettext("Only an enrolled participant is randomized; %(number)s is %(value)s.")
                % {"number": participant.number, "value": participant.get_status_display().lower()}
            }
        )


def _active_scheme(study_id: int, *, lock: bool = False) -> RandomizationScheme:
    schemes = RandomizationScheme.objects.filter(study_id=study_id)
    scheme = (schemes.select_for_update() if lock else schemes).first()
    if scheme is None or scheme.status != SchemeStatus.ACTIVE:
        raise ValidationError({"participant": gettext("This study has no active randomization scheme yet.")})
    return scheme


def _levels(scheme: RandomizationScheme, given: Mapping[str, str]) -> dict[str, str]:
    if not isinstance(given, Mapping):
        raise ValidationError({"factor_levels": gettext("Give the participant's level of each factor.")})
    try:
        return rules.participant_levels(scheme.factors, {str(k): str(v) for k, v in given.items()})
    except ValueError as error:
        raise ValidationError({"factor_levels": str(error)[:1].upper() + str(error)[1:]}) from None


def _new_allocation(scheme, participant, levels, arm: Arm, **values) -> Allocation:
    return Allocation(
        study_id=participant.study_id,
        study_site_id=participant.study_site_id,
        participant=participant,
        scheme=scheme,
        arm=arm,
        arm_code=arm.code,
        factor_levels=levels,
        randomized_at=timezone.now(),
        **values,
    )


def _allocate_from_list(scheme, participant, levels) -> Allocation:
    stratum = rules.stratum_of(scheme.factors, levels)
    slot = _take_next_slot(scheme, stratum, participant)
    return _new_allocation(scheme, participant, levels, slot.arm, slot=slot, stratum=stratum)


def _take_next_slot(scheme, stratum: str, participant: Participant) -> RandomizationSlot:
    """Claim the first unused slot of the stratum.

    On PostgreSQL the row lock makes a second taker wait, then re-check the slot; the conditional
    UPDATE (…WHERE used_by IS NULL) is what guarantees a slot is used once on every database, and a
    taker who finds it gone looks again. SQLite runs writes one at a time (IMMEDIATE transactions).
    """
    unused = RandomizationSlot.objects.filter(scheme=scheme, stratum=stratum, used_by__isnull=True)
    for _ in range(SLOT_ATTEMPTS):
        # Lock the slot row only: a join's rows (the arm) would be locked too, and deadlock inserts.
        slot = unused.select_for_update(of=("self",)).select_related("arm").order_by("sequence").first()
        if slot is None:
            if unused.exists():  # PostgreSQL may skip a row freed under the lock; look again
                continue
            raise ValidationError(
                {
                    "factor_levels": gettext(
                        "The randomization list of stratum %(stratum)s is used up; tell the CRM."
                    )
                    % {"stratum": stratum}
                }
            )
        now = timezone.now()
        if unused.filter(pk=slot.pk).update(used_by=participant, used_at=now) == 1:
            slot.used_by, slot.used_at = participant, now
            return slot
    raise RuntimeError(f"Could not take a slot of stratum {stratum} after {SLOT_ATTEMPTS} attempts.")


def _allocate_by_minimization(scheme, participant, levels) -> Allocation:
    scheme = _active_scheme(participant.study_id, lock=True)
    factors = rules.factor_objects(scheme.factors)
    weights = [f.get("weight", 1.0) for f in scheme.factors]
    levels_with_site = dict(levels)
    if scheme.site_is_factor:
        site_numbers = StudySite.objects.filter(study_id=scheme.study_id).order_by("site_number")
        factors += (Factor(rules.SITE_FACTOR, tuple(site_numbers.values_list("site_number", flat=True))),)
        weights.append(scheme.site_weight)
        levels_with_site[rules.SITE_FACTOR] = participant.study_site.site_number
    past = Allocation.objects.filter(scheme=scheme).values_list(
        "arm_code", "factor_levels", "study_site__site_number"
    )
    counts = rules.minimization_counts(
        (arm, {**stored, **({rules.SITE_FACTOR: site} if scheme.site_is_factor else {})})
        for arm, stored, site in past
    )
    try:
        scores = minimization_scores(
            arms=scheme.arm_codes(),
            factors=factors,
            counts=counts,
            participant=levels_with_site,
            measure=scheme.measure,
            weights=weights,
            ratio=scheme.ratio(),
        )
    except RandomizationInputError as error:
        raise ValidationError({"factor_levels": error.problem}) from None
    # The coin is drawn from the scheme's seed and the allocation's rank: reproducible for an
    # inspector who holds the seed, unpredictable for anyone who does not.
    rng = np.random.default_rng([scheme.seed, len(past)])
    code = choose_arm(scores, rng=rng, p_preferred=scheme.p_preferred)
    arm = Arm.objects.filter(study_id=scheme.study_id, code=code).first()
    if arm is None:
        raise ValidationError(
            {
                "participant": gettext("Arm %(code)s of the scheme no longer exists in the study.")
                % {"code": code}
            }
        )
    return _new_allocation(scheme, participant, levels, arm, scores=scores.as_dict())


def _mark_randomized(participant: Participant, *, by: User) -> None:
    """Move the participant to "randomized" and give them the visits that hang on randomization."""
    on = participant.study_site.local_today()
    subject_services.mark_randomized(participant=participant, on=on, by=by)
    visit_services.schedule_visits(participant=participant, anchor="randomization", anchor_on=on, by=by)
