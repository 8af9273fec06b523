"""Writes of start-up and close-out: ticking an item by hand (and withdrawing the tick), the study's own
checklist items, the CRM's signed override of a gate, and cycle-time targets. Each through core.records,
so each has its audit event in the same transaction."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from trialdesk.core import esign, records
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.sites.models import StudySite
from trialdesk.startup import rules, selectors
from trialdesk.startup.models import ChecklistTick, CycleTarget, GateOverride, StudyChecklistItem
from trialdesk.startup.permissions import ONLY_CRM, ONLY_TICKERS, can_manage_startup, can_tick_items
from trialdesk.studies.models import Study

OVERRIDE_MEANING = "gate override: pending items accepted"


def _gate(gate: str) -> str:
    if gate not in rules.GATE_LABELS:
        raise ValidationError(
            {
                "gate": gettext("Choose one of: %(gate_labels)s.")
                % {"gate_labels": ", ".join(rules.GATE_LABELS)}
            }
        )
    return gate


@transaction.atomic
def tick_item(
    *,
    study_site: StudySite,
    gate: str,
    item: str,
    done_on: dt.date | None,
    done_by: str,
    evidence: str,
    by: User,
    retain_until: dt.date | None = None,
    reason: str = "",
) -> ChecklistTick:
    """Tick an item no record in Trialdesk can show, naming who did it, when and the evidence."""
    require(can_tick_items(by, study_id=study_site.study_id, study_site_id=study_site.pk), ONLY_TICKERS)
    tracker = selectors.tracker(study_site, _gate(gate))
    found = next((i for i in tracker.items if i.key == item), None)
    problems = rules.tick_problems(
        item=found,
        done_on=done_on,
        done_by=done_by,
        evidence=evidence,
        today=study_site.local_today(),
        retain_until=retain_until,
    )
    if found is not None and found.state == rules.DONE and not problems:
        problems = {"item": f"'{found.label}' is already done."}
    if problems:
        raise ValidationError(problems)
    return records.create_record(
        ChecklistTick(
            study_id=study_site.study_id,
            study_site=study_site,
            gate=gate,
            item=item,
            done_on=done_on,
            done_by=done_by.strip(),
            evidence=evidence.strip(),
            retain_until=retain_until,
        ),
        by=by,
        reason=reason or f"{found.label}: done",
    )


@transaction.atomic
def withdraw_tick(*, tick: ChecklistTick, by: User, reason: str) -> None:
    require(can_tick_items(by, study_id=tick.study_id, study_site_id=tick.study_site_id), ONLY_TICKERS)
    records.delete_record(tick, by=by, reason=reason)


@transaction.atomic
def set_study_item(
    *,
    study: Study,
    gate: str,
    key: str,
    label: str = "",
    required: bool = True,
    citation: str = "",
    by: User,
    reason: str = "",
) -> StudyChecklistItem:
    """Add an item of the study's own to every site's checklist, or mark a standard one not required."""
    require(can_manage_startup(by, study.pk), ONLY_CRM)
    _gate(gate)
    if not re.fullmatch(r"[-a-z0-9_]{1,60}", key or ""):
        raise ValidationError(
            {"key": gettext("Give a key of lower-case letters, digits, - and _ (e.g. pharmacy-check).")}
        )
    standard = key in selectors.rules_keys(gate)
    if not standard and not (label or "").strip():
        raise ValidationError({"label": gettext("Name the item (what must be done).")})
    existing = StudyChecklistItem.objects.filter(study=study, gate=gate, key=key).first()
    values = {"label": (label or "").strip(), "required": required, "citation": (citation or "").strip()}
    if existing is not None:
        return records.update_record(
            existing, changes=values, by=by, reason=reason or "checklist item changed"
        )
    return records.create_record(
        StudyChecklistItem(study=study, gate=gate, key=key, **values), by=by, reason=reason
    )


@transaction.atomic
def sign_override(
    *, study: Study, gate: str, reason: str, password: str, by: User, study_site: StudySite | None = None
) -> GateOverride:
    """The CRM lets a site (or every site of the study) pass a gate with items pending, signing with their
    password (21 CFR 11.200) and giving the reason; what is pending is kept with the override."""
    require(can_manage_startup(by, study.pk), ONLY_CRM)
    if gate != rules.BOTH:
        _gate(gate)
    if study_site is not None and study_site.study_id != study.pk:
        raise ValidationError({"study_site": gettext("This site is not one of the study's.")})
    if not (reason or "").strip():
        raise ValidationError(
            {"reason": gettext("Give the reason for letting the site pass with items pending.")}
        )
    esign.reauthenticate(by, password)
    pending = []
    if study_site is not None:
        for each in rules.GATE_LABELS if gate == rules.BOTH else (gate,):
            pending += [item.label for item in selectors.tracker(study_site, each).pending]
    return records.create_record(
        GateOverride(
            study=study,
            study_site=study_site,
            gate=gate,
            reason=reason.strip(),
            pending=pending,
            signed_by=by,
            signed_at=timezone.now(),
            signature_meaning=OVERRIDE_MEANING,
        ),
        by=by,
        reason=f"signed: {OVERRIDE_MEANING} — {reason.strip()}",
    )


@transaction.atomic
def set_cycle_target(*, study: Study, interval: str, days: int, by: User, reason: str = "") -> CycleTarget:
    require(can_manage_startup(by, study.pk), ONLY_CRM)
    if interval not in rules.INTERVAL_LABELS:
        raise ValidationError(
            {
                "interval": gettext("Choose one of: %(interval_labels)s.")
                % {"interval_labels": ", ".join(rules.INTERVAL_LABELS)}
            }
        )
    if days is None or days < 1:
        raise ValidationError({"days": gettext("Give a target of at least one day.")})
    existing = CycleTarget.objects.filter(study=study, interval=interval).first()
    if existing is not None:
        return records.update_record(
            existing, changes={"days": days}, by=by, reason=reason or "target changed"
        )
    return records.create_record(CycleTarget(study=study, interval=interval, days=days), by=by, reason=reason)
