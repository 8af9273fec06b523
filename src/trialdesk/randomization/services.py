"""Writes of randomization: set up and activate a scheme, randomize a participant, unblind one, grant access.

Every write checks permission first, then validates, then saves and audits in one transaction.
"""

import secrets
from collections.abc import Mapping

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from trialdesk.analytics.randomization import (
    Factor,
    RandomizationInputError,
    choose_arm,
    minimization_scores,
    permuted_block_list,
)
from trialdesk.core import records
from trialdesk.core.esign import reauthenticate
from trialdesk.core.models import RoleAssignment, User
from trialdesk.core.permissions import can_manage_study, require
from trialdesk.core.roles import Role
from trialdesk.randomization import rules
from trialdesk.randomization.models import (
    Allocation,
    Method,
    Notification,
    RandomizationScheme,
    RandomizationSlot,
    SchemeStatus,
    UnblindedAccess,
    UnblindingEvent,
)
from trialdesk.randomization.permissions import may_grant_unblinded_access, may_randomize, may_unblind
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Arm, Study
from trialdesk.subjects import services as subject_services
from trialdesk.subjects.models import Participant, ParticipantStatus
from trialdesk.visits import services as visit_services

SCHEME_FIELDS = (
    "method",
    "arms",
    "factors",
    "block_sizes",
    "per_stratum",
    "seed",
    "measure",
    "p_preferred",
    "site_is_factor",
    "site_weight",
)
# Two people taking the same slot at once: the loser looks again. More retries than this is a bug.
SLOT_ATTEMPTS = 20
MANAGERS_ONLY = "Only the study's CRM or an administrator sets up randomization."


# --- the scheme --------------------------------------------------------------------------------


def _arm_snapshot(study: Study, codes) -> list[dict]:
    """The chosen arms with their current allocation ratios, in the order the study lists them."""
    codes = list(codes or [])
    arms = {arm.code: arm for arm in Arm.objects.filter(study=study)}
    unknown = [code for code in codes if code not in arms]
    if unknown:
        raise ValidationError({"arms": f"This study has no arm {', '.join(map(str, unknown))}."})
    chosen = [arms[code] for code in sorted(set(codes), key=list(arms).index)]
    return [{"code": arm.code, "ratio": arm.allocation_ratio} for arm in chosen]


def _factor_values(factors) -> list[dict]:
    """Factors as stored: name, levels (text) and weight; shapes a client could send wrong are refused."""
    stored = []
    for factor in factors or []:
        if not isinstance(factor, Mapping) or "name" not in factor or "levels" not in factor:
            raise ValidationError({"factors": "Each factor needs a name and its levels."})
        levels = factor["levels"]
        if isinstance(levels, str) or not isinstance(levels, list | tuple):
            raise ValidationError({"factors": f"The levels of {factor['name']} must be a list."})
        weight = factor.get("weight", 1.0)
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            raise ValidationError({"factors": f"The weight of {factor['name']} must be a number."})
        stored.append(
            {"name": str(factor["name"]), "levels": [str(x) for x in levels], "weight": float(weight)}
        )
    return stored


def _scheme_values(study: Study, values: dict) -> dict:
    values = dict(records.only_fields(values, SCHEME_FIELDS))
    if "arms" in values:
        values["arms"] = _arm_snapshot(study, values["arms"])
    if "factors" in values:
        values["factors"] = _factor_values(values["factors"])
    if "block_sizes" in values:
        values["block_sizes"] = list(values["block_sizes"] or [])
    if values.get("seed", "") is None:
        values.pop("seed")
    return values


def create_scheme(*, study: Study, by: User, reason: str = "", **values) -> RandomizationScheme:
    """Set up the study's randomization scheme as a draft; a seed is drawn when none is given."""
    require(can_manage_study(by, study.pk), MANAGERS_ONLY)
    if RandomizationScheme.objects.filter(study=study).exists():
        raise ValidationError({"study": "This study already has a randomization scheme; change that one."})
    values = _scheme_values(study, values)
    values.setdefault("seed", secrets.randbelow(rules.MAX_SEED))
    return records.create_record(RandomizationScheme(study=study, **values), by=by, reason=reason)


def _refuse_if_active(scheme: RandomizationScheme) -> None:
    if scheme.status != SchemeStatus.DRAFT:
        raise ValidationError(
            {"status": "The scheme is active: it is locked, since participants are randomized by it."}
        )


def update_scheme(
    *,
    scheme: RandomizationScheme,
    changes: dict,
    by: User,
    reason: str,
    expected_version: int | None = None,
) -> RandomizationScheme:
    """Change a draft scheme; an active one is locked."""
    require(can_manage_study(by, scheme.study_id), MANAGERS_ONLY)
    _refuse_if_active(scheme)
    return records.update_record(
        scheme,
        changes=_scheme_values(scheme.study, changes),
        by=by,
        reason=reason,
        expected_version=expected_version,
    )


@transaction.atomic
def activate_scheme(
    *, scheme: RandomizationScheme, by: User, reason: str = "", expected_version: int | None = None
) -> RandomizationScheme:
    """Lock the scheme and start randomizing; for permuted blocks, generate the whole list now.

    The arms' current allocation ratios are taken into the scheme. The list's SHA-256 goes on the audit
    trail with the activation, so the list used can later be shown to be the one generated.
    """
    require(can_manage_study(by, scheme.study_id), MANAGERS_ONLY)
    scheme = RandomizationScheme.objects.select_for_update().select_related("study").get(pk=scheme.pk)
    if expected_version is not None and scheme.version != expected_version:
        raise records.StaleVersion(current=scheme.version, given=expected_version)
    _refuse_if_active(scheme)
    arms = _arm_snapshot(scheme.study, scheme.arm_codes())
    changes = {"status": SchemeStatus.ACTIVE, "activated_at": timezone.now(), "arms": arms}
    if scheme.method == Method.PERMUTED_BLOCKS:
        scheme.arms = arms
        changes["list_sha256"] = _generate_list(scheme)
    return records.update_record(
        scheme, changes=changes, by=by, reason=reason or "randomization started", action="activated"
    )


def _generate_list(scheme: RandomizationScheme) -> str:
    problems = rules.scheme_problems(
        method=scheme.method,
        arms=scheme.arms,
        factors=scheme.factors,
        block_sizes=scheme.block_sizes,
        per_stratum=scheme.per_stratum,
        p_preferred=scheme.p_preferred,
        site_is_factor=scheme.site_is_factor,
        site_weight=scheme.site_weight,
    )
    if problems:
        raise ValidationError(problems)
    rows = permuted_block_list(
        arms=scheme.arm_codes(),
        ratio=scheme.ratio(),
        block_sizes=scheme.block_sizes,
        per_stratum=scheme.per_stratum,
        strata=rules.factor_objects(scheme.factors),
        rng=np.random.default_rng(scheme.seed),
    )
    arms = {arm.code: arm for arm in Arm.objects.filter(study_id=scheme.study_id)}
    RandomizationSlot.objects.bulk_create(
        (
            RandomizationSlot(
                scheme=scheme,
                stratum=row.stratum,
                sequence=row.sequence,
                block=row.block,
                block_size=row.block_size,
                arm=arms[row.arm],
            )
            for row in rows
        ),
        batch_size=2000,
    )
    return rules.list_digest(row.as_dict() for row in rows)


# --- randomizing -------------------------------------------------------------------------------


def randomize(*, participant: Participant, factor_levels: Mapping[str, str], by: User) -> Allocation:
    """Assign an enrolled participant an arm by the study's active scheme, atomically.

    Permuted blocks: the next unused slot of the participant's stratum, taken so that two people
    randomizing at once never get the same slot. Minimization: the scores come from the allocations
    made so far, counted while the scheme is locked, so no allocation is missed.
    """
    require(may_randomize(by, participant), "Only the site's staff or the study's CRM randomize.")
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
        raise ValidationError({"participant": f"Participant {participant.number} is already randomized."})
    if participant.status != ParticipantStatus.ENROLLED:
        raise ValidationError(
            {
                "participant": f"Only an enrolled participant is randomized; {participant.number} is "
                f"{participant.get_status_display().lower()}."
            }
        )


def _active_scheme(study_id: int, *, lock: bool = False) -> RandomizationScheme:
    schemes = RandomizationScheme.objects.filter(study_id=study_id)
    scheme = (schemes.select_for_update() if lock else schemes).first()
    if scheme is None or scheme.status != SchemeStatus.ACTIVE:
        raise ValidationError({"participant": "This study has no active randomization scheme yet."})
    return scheme


def _levels(scheme: RandomizationScheme, given: Mapping[str, str]) -> dict[str, str]:
    if not isinstance(given, Mapping):
        raise ValidationError({"factor_levels": "Give the participant's level of each factor."})
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
                {"factor_levels": f"The randomization list of stratum {stratum} is used up; tell the CRM."}
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
        raise ValidationError({"participant": f"Arm {code} of the scheme no longer exists in the study."})
    return _new_allocation(scheme, participant, levels, arm, scores=scores.as_dict())


def _mark_randomized(participant: Participant, *, by: User) -> None:
    """Move the participant to "randomized" and give them the visits that hang on randomization."""
    on = participant.study_site.local_today()
    subject_services.change_participant_status(
        participant=participant, to=ParticipantStatus.RANDOMIZED, on=on, by=by, reason="randomized"
    )
    visit_services.schedule_visits(participant=participant, anchor="randomization", anchor_on=on, by=by)


# --- emergency unblinding ---------------------------------------------------------------------


@transaction.atomic
def unblind(*, participant: Participant, reason: str, password: str, by: User) -> UnblindingEvent:
    """Reveal one participant's arm to `by` in an emergency, signed with their password.

    The signature's meaning is "unblinding"; the event is on the audit trail and the study's CRMs are
    notified (without the arm).
    """
    require(
        may_unblind(by, participant), "Only the site's investigator, a safety officer or the CRM unblinds."
    )
    errors = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Say why the participant must be unblinded."
    try:
        reauthenticate(by, password)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    participant = Participant.objects.select_related("study").get(pk=participant.pk)
    allocation = Allocation.objects.filter(participant=participant).first()
    if allocation is None:
        raise ValidationError({"participant": f"Participant {participant.number} is not randomized."})
    if not participant.study.blinded:
        raise ValidationError({"participant": "This study is open-label: the arm is shown already."})
    event = records.create_record(
        UnblindingEvent(
            study_id=participant.study_id,
            study_site_id=participant.study_site_id,
            participant=participant,
            allocation=allocation,
            reason=reason,
            signer=by,
            signed_at=timezone.now(),
            meaning=UnblindingEvent.MEANING,
            reauthenticated=True,
        ),
        by=by,
        reason=reason,
    )
    _notify_managers(event)
    return event


def _notify_managers(event: UnblindingEvent) -> None:
    crms = RoleAssignment.objects.filter(role=Role.CRM, study_id=event.study_id, study_site__isnull=True)
    when = event.signed_at.strftime("%Y-%m-%d %H:%M UTC")
    message = (
        f"Participant {event.participant.number} was unblinded in an emergency by "
        f"{event.signer.username} on {when}. Reason: {event.reason}"
    )
    Notification.objects.bulk_create(
        Notification(
            recipient_id=recipient_id,
            study_id=event.study_id,
            participant=event.participant,
            kind="unblinding",
            message=message,
            created_at=event.signed_at,
        )
        for recipient_id in crms.values_list("user_id", flat=True).distinct()
    )


def mark_notifications_read(*, study: Study, by: User) -> int:
    """Mark the person's own notifications about `study` read; the number marked."""
    return Notification.objects.for_recipient(by).unread().filter(study=study).update(read_at=timezone.now())


# --- unblinded access --------------------------------------------------------------------------


def grant_unblinded_access(*, study: Study, user: User, reason: str, by: User) -> UnblindedAccess:
    """Let `user` see every allocation of `study` (e.g. the unblinded pharmacist); never oneself."""
    require(may_grant_unblinded_access(by, study.pk), MANAGERS_ONLY)
    if user.pk == by.pk:
        raise ValidationError({"user": "Nobody grants themselves unblinded access; ask another manager."})
    if not Study.objects.visible_to(user).filter(pk=study.pk).exists():
        raise ValidationError({"user": f"{user.username} has no role on this study."})
    reason = records.require_reason(reason)
    access = UnblindedAccess(study=study, user=user, reason=reason, granted_by=by)
    return records.create_record(access, by=by, reason=reason)


def revoke_unblinded_access(*, access: UnblindedAccess, by: User, reason: str) -> None:
    require(may_grant_unblinded_access(by, access.study_id), MANAGERS_ONLY)
    records.delete_record(access, by=by, reason=reason)
