"""Setting up a study's randomization scheme and activating it, with its allocation list when it has one."""

import secrets
from collections.abc import Mapping

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from trialdesk.analytics.randomization import permuted_block_list
from trialdesk.core import records
from trialdesk.core.models import User
from trialdesk.core.permissions import can_manage_study, require
from trialdesk.randomization import rules
from trialdesk.randomization.models import Method, RandomizationScheme, RandomizationSlot, SchemeStatus
from trialdesk.studies.models import Arm, Study

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


MANAGERS_ONLY = gettext_noop("Only the study's CRM or an administrator sets up randomization.")


# --- the scheme --------------------------------------------------------------------------------


def _arm_snapshot(study: Study, codes) -> list[dict]:
    """The chosen arms with their current allocation ratios, in the order the study lists them."""
    codes = list(codes or [])
    arms = {arm.code: arm for arm in Arm.objects.filter(study=study)}
    unknown = [code for code in codes if code not in arms]
    if unknown:
        raise ValidationError(
            {"arms": gettext("This study has no arm %(str)s.") % {"str": ", ".join(map(str, unknown))}}
        )
    chosen = [arms[code] for code in sorted(set(codes), key=list(arms).index)]
    return [{"code": arm.code, "ratio": arm.allocation_ratio} for arm in chosen]


def _factor_values(factors) -> list[dict]:
    """Factors as stored: name, levels (text) and weight; shapes a client could send wrong are refused."""
    stored = []
    for factor in factors or []:
        if not isinstance(factor, Mapping) or "name" not in factor or "levels" not in factor:
            raise ValidationError({"factors": gettext("Each factor needs a name and its levels.")})
        levels = factor["levels"]
        if isinstance(levels, str) or not isinstance(levels, list | tuple):
            raise ValidationError(
                {"factors": gettext("The levels of %(name)s must be a list.") % {"name": factor["name"]}}
            )
        weight = factor.get("weight", 1.0)
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            raise ValidationError(
                {"factors": gettext("The weight of %(name)s must be a number.") % {"name": factor["name"]}}
            )
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
    require(can_manage_study(by, study.pk), gettext(MANAGERS_ONLY))
    if RandomizationScheme.objects.filter(study=study).exists():
        raise ValidationError(
            {"study": gettext("This study already has a randomization scheme; change that one.")}
        )
    values = _scheme_values(study, values)
    values.setdefault("seed", secrets.randbelow(rules.MAX_SEED))
    return records.create_record(RandomizationScheme(study=study, **values), by=by, reason=reason)


def _refuse_if_active(scheme: RandomizationScheme) -> None:
    if scheme.status != SchemeStatus.DRAFT:
        raise ValidationError(
            {
                "status": gettext(
                    "The scheme is active: it is locked, since participants are randomized by it."
                )
            }
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
    require(can_manage_study(by, scheme.study_id), gettext(MANAGERS_ONLY))
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
    require(can_manage_study(by, scheme.study_id), gettext(MANAGERS_ONLY))
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
