"""Signals from the KRIs: a red flag opens one; its triage decides a for-cause visit (which gets a due
date in the plan), a remote review, an action item, or no action with a rationale."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext

from trialdesk.core import records
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.monitoring.models import MonitoringPlan, Signal, SignalStatus, SiteMonitoring
from trialdesk.monitoring.permissions import ONLY_SITE_CRA, can_manage_monitoring, can_monitor_site
from trialdesk.monitoring.rules import quality as rules
from trialdesk.monitoring.services.actions import raise_action_item
from trialdesk.monitoring.services.tiers import store_tier_flags
from trialdesk.monitoring.services.visits import schedule_visit
from trialdesk.notifications.services import crms_of, monitors_of, notify
from trialdesk.statistics import kris
from trialdesk.studies.models import Study

DEFAULT_WITHIN_DAYS = 14
ACTION_ITEM_DAYS = 14


def _latest_by_site_and_kri(study: Study) -> dict[tuple[int, str], Signal]:
    latest: dict[tuple[int, str], Signal] = {}
    for signal in Signal.objects.filter(study=study).order_by("opened_on", "id"):
        latest[(signal.study_site_id, signal.kri_key)] = signal
    return latest


@transaction.atomic
def open_signals(*, study: Study, by: User | None, today: dt.date | None = None) -> list[Signal]:
    """A signal for each red KRI flag of a site that has none open for that KRI (rules.quality); the
    sites' flags are stored for their risk tiers too (services.tiers)."""
    if by is not None:
        require(can_manage_monitoring(by, study.pk), "Only the study's CRM checks the KRIs for new signals.")
    latest = _latest_by_site_and_kri(study)
    opened = []
    results = kris.all_site_kris(study)
    store_tier_flags(study=study, by=by, kri_results=results)
    for result in results:
        for row in result.rows:
            if not rules.is_red(row.flag):
                continue
            day = today or row.site.local_today()
            previous = latest.get((row.site.pk, result.definition.key))
            if not rules.signal_needed(
                latest_status=previous.status if previous else None,
                latest_closed_on=previous.closed_on if previous else None,
                today=day,
            ):
                continue
            signal = Signal(
                study=study,
                study_site=row.site,
                kri_key=result.definition.key,
                flag=row.flag,
                score=row.score,
                metric=row.metric,
                opened_on=day,
            )
            opened.append(records.create_record(signal, by=by, reason=f"red flag: {result.definition.name}"))
            _tell_opened(opened[-1], by=by)
    return opened


def _tell_opened(signal: Signal, *, by: User | None) -> None:
    """Notify the study's CRMs and the site's CRAs (notifications app): they triage it."""

    def title():  # drawn in each reader's language (notifications.services.notify)
        return gettext("Signal opened: %(kri)s at site %(site)s (%(flag)s)") % {
            "kri": signal.kri_key,
            "site": signal.study_site.site_number,
            "flag": signal.flag,
        }

    url = reverse("monitoring_signal", kwargs={"signal_id": signal.pk})
    people = crms_of(signal.study) + monitors_of(signal.study_site)
    notify(people, "signal_opened", title, url, study=signal.study, actor=by)


def _plan(study_id: int) -> MonitoringPlan | None:
    return MonitoringPlan.objects.filter(study_id=study_id).order_by("-number").first()


@transaction.atomic
def triage_signal(
    *,
    signal: Signal,
    by: User,
    decision: str,
    rationale: str = "",
    owner: User | None = None,
    expected_version: int | None = None,
) -> Signal:
    """Record the decision; a for-cause visit or remote review is planned within the plan's days, an
    action item is raised (owned by `owner`, else the site's CRA), no action closes the signal."""
    require(can_monitor_site(by, signal.study_site), ONLY_SITE_CRA)
    if signal.status != SignalStatus.OPEN:
        raise ValidationError(
            {"decision": gettext("This signal is already %(status)s.") % {"status": signal.status}}
        )
    problems = rules.triage_problems(decision=decision, rationale=rationale or "")
    if problems:
        raise ValidationError(problems)
    today = signal.study_site.local_today()
    closes = decision == rules.NO_ACTION
    triaged = records.update_record(
        signal,
        changes={
            "decision": decision,
            "rationale": (rationale or "").strip(),
            "status": SignalStatus.CLOSED if closes else SignalStatus.TRIAGED,
            "triaged_by": by,
            "triaged_on": today,
            "closed_on": today if closes else None,
        },
        by=by,
        reason=(rationale or "").strip() or f"triaged: {decision.replace('_', ' ')}",
        expected_version=expected_version,
        action="triaged",
    )
    _follow_up(triaged, by=by, today=today, owner=owner)
    return triaged


def _follow_up(signal: Signal, *, by: User, today: dt.date, owner: User | None) -> None:
    plan = _plan(signal.study_id)
    within = plan.for_cause_within_days if plan else DEFAULT_WITHIN_DAYS
    definition = kris.definition(signal.kri_key)
    cause = (
        f"Signal #{signal.pk}: {definition.name} flagged red (score {signal.score:.2f})"
        if signal.score is not None
        else f"Signal #{signal.pk}"
    )
    if signal.decision in ("for_cause_visit", "remote_review"):
        schedule_visit(
            study_site=signal.study_site,
            by=by,
            signal=signal,
            visit_type="for_cause",
            modality="on_site" if signal.decision == "for_cause_visit" else "remote",
            planned_on=today + dt.timedelta(days=within),
            purpose=cause,
            reason=f"decided at the triage of signal #{signal.pk}",
        )
    elif signal.decision == "action_item":
        setup = SiteMonitoring.objects.filter(study_site_id=signal.study_site_id).first()
        raise_action_item(
            study_site=signal.study_site,
            by=by,
            signal=signal,
            description=f"{cause}: review the site's data and explain the outlier.",
            owner=owner or (setup.cra if setup and setup.cra_id else by),
            owner_party="cra",
            due_on=today + dt.timedelta(days=ACTION_ITEM_DAYS),
            reason=f"decided at the triage of signal #{signal.pk}",
        )


@transaction.atomic
def close_signal(*, signal: Signal, by: User, reason: str, expected_version: int | None = None) -> Signal:
    """Close a triaged signal once its follow-up is done."""
    require(can_monitor_site(by, signal.study_site), ONLY_SITE_CRA)
    if signal.status != SignalStatus.TRIAGED:
        raise ValidationError(
            {
                "to": gettext("Only a triaged signal is closed; this one is %(status)s.")
                % {"status": signal.status}
            }
        )
    return records.update_record(
        signal,
        changes={"status": SignalStatus.CLOSED, "closed_on": signal.study_site.local_today()},
        by=by,
        reason=records.require_reason(reason),
        expected_version=expected_version,
        action="closed",
    )
