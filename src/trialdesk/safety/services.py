"""Writes of the safety app: adverse events and follow-ups, their reporting obligations, safety settings.

Each checks permission, validates, saves and audits in one transaction through core.records; obligations
are recalculated from the event's latest facts by the same clock engine as `trialdesk safety clocks`.
"""

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from trialdesk.core import records
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.people.selectors import may_perform
from trialdesk.safety import selectors
from trialdesk.safety.models import (
    AdverseEvent,
    AdverseEventVersion,
    CalendarFeed,
    CommitteeReportingPolicy,
    ObligationStatus,
    ReferenceSafetyInformation,
    ReportingObligation,
    StudySafetySettings,
)
from trialdesk.safety.permissions import (
    can_oversee_safety,
    can_record_adverse_events,
    can_submit_obligation,
)
from trialdesk.safety.rules import clocks, reportable, rulebook, statuses
from trialdesk.studies.models import Study
from trialdesk.subjects.models import Participant

VERSION_FIELDS = (
    "verbatim_term",
    "ctcae_term",
    "grade",
    "onset_on",
    "resolved_on",
    "seriousness",
    "causality",
    "expected",
    "reference_safety_information",
    "unanticipated_device_effect",
    "action_taken",
    "outcome",
    "site_aware_at",
    "sponsor_aware_at",
    "narrative",
)
SETTINGS_FIELDS = (
    "sponsor_time_zone",
    "product_type",
    "site_to_sponsor_hours",
    "extra_jurisdictions",
    "development_birth_date",
)
POLICY_FIELDS = (
    "study_site",
    "name",
    "committee",
    "event_kind",
    "clock",
    "length",
    "holiday_calendar",
    "citation",
    "active",
)
ONLY_RECORDERS = "Only the site's coordinators and investigators, the CRM or the safety officer record AEs."
ONLY_OVERSEERS = "Only the study's CRM, its safety officer or an administrator change its safety settings."
ONLY_DELEGATED = (
    "This site keeps a delegation log: only staff delegated adverse event assessment record causality."
)
ONLY_SUBMITTERS = (
    "Only the reporting party (site staff for site reports, else the sponsor) marks it submitted."
)


# Adverse events ------------------------------------------------------------------------------------------


def _may_assess_causality(user: User, participant: Participant, on: dt.date) -> bool:
    # The site's delegation log decides; a site not keeping its log in Trialdesk lets anyone working there.
    return may_perform(user, participant.study_site, "ae_assessment", on)


def _next_number(study: Study) -> str:
    taken = AdverseEvent.objects.filter(study=study).select_for_update().values_list("number", flat=True)
    highest = max((int(n.removeprefix("AE-")) for n in taken if n.removeprefix("AE-").isdigit()), default=0)
    return f"AE-{highest + 1:04d}"


def _summary(version: AdverseEventVersion) -> dict:
    """The latest version's facts the event repeats for lists, filters and line listings."""
    return {
        "ctcae_term": version.ctcae_term,
        "grade": version.grade,
        "serious": bool(version.seriousness),
        "fatal_or_life_threatening": bool({"death", "life_threatening"} & set(version.seriousness or [])),
        "related": version.related,
        "expected": version.expected,
        "onset_on": version.onset_on,
        "site_aware_at": version.site_aware_at,
    }


@transaction.atomic
def record_adverse_event(*, participant: Participant, by: User, reason: str = "", **values) -> AdverseEvent:
    """Record a new adverse event (its version 1) and create the reporting obligations it starts."""
    site = participant.study_site
    require(can_record_adverse_events(by, site), ONLY_RECORDERS)
    values = records.only_fields(values, VERSION_FIELDS)
    event = AdverseEvent(study_id=participant.study_id, study_site=site, participant=participant)
    version = AdverseEventVersion(adverse_event=event, number=1, recorded_by=by, **values)
    version.full_clean(exclude=["adverse_event"])
    if version.causality:
        require(_may_assess_causality(by, participant, site.local_today()), ONLY_DELEGATED)
    event.number = _next_number(participant.study)
    for name, value in _summary(version).items():
        setattr(event, name, value)
    records.create_record(event, by=by, reason=reason or "adverse event recorded")
    version.adverse_event = event
    records.create_record(version, by=by, reason=reason or "initial report")
    recalculate_obligations(adverse_event=event, by=by)
    return event


@transaction.atomic
def add_follow_up(
    *, adverse_event: AdverseEvent, by: User, reason: str, expected_version: int | None = None, **changes
) -> AdverseEventVersion:
    """Add follow-up information as a new version (the earlier ones stay untouched) and recalculate."""
    require(can_record_adverse_events(by, adverse_event.study_site), ONLY_RECORDERS)
    reason = records.require_reason(reason)
    changes = records.only_fields(changes, VERSION_FIELDS)
    event = AdverseEvent.objects.select_for_update().get(pk=adverse_event.pk)
    if expected_version is not None and event.version != expected_version:
        raise records.StaleVersion(current=event.version, given=expected_version)
    previous = selectors.latest_version(event)
    values = {name: getattr(previous, name) for name in VERSION_FIELDS}
    values.update(changes)
    version = AdverseEventVersion(adverse_event=event, number=previous.number + 1, recorded_by=by, **values)
    version.full_clean(exclude=["adverse_event"])
    if version.causality and version.causality != previous.causality:
        require(_may_assess_causality(by, event.participant, event.study_site.local_today()), ONLY_DELEGATED)
    records.create_record(version, by=by, reason=reason)
    changes = {"latest_version": version.number, **_summary(version)}
    event = records.update_record(event, changes=changes, by=by, reason=reason, action="followed_up")
    recalculate_obligations(adverse_event=event, by=by)
    return version


def event_facts(event: AdverseEvent, version: AdverseEventVersion) -> tuple[reportable.EventFacts, dict]:
    """The clock engine's facts of the event's version, and the committee policies that apply to it.

    Until judged, expectedness counts as unexpected and causality as related: a report may be withdrawn
    once the investigator or sponsor decides otherwise, a clock that never started cannot be caught up.
    """
    settings = selectors.settings_of(event.study)
    policies = selectors.committee_policies(event.study, event.study_site)
    facts = reportable.EventFacts(
        product=settings.product_type,
        jurisdictions=selectors.study_jurisdictions(event.study, settings)
        + tuple(f"{rulebook.IRB_PREFIX}{name}" for name in policies),
        serious=bool(version.seriousness),
        seriousness=tuple(version.seriousness or ()),
        expected=version.expected is True,
        related=version.related is not False,
        unanticipated_device_effect=version.unanticipated_device_effect,
        site_aware_at=version.site_aware_at,
        sponsor_aware_at=version.sponsor_aware_at or version.site_aware_at,
        site_timezone=event.study_site.institution.time_zone,
        sponsor_timezone=settings.sponsor_time_zone,
        site_to_sponsor_hours=settings.site_to_sponsor_hours,
    )
    return facts, policies


@transaction.atomic
def recalculate_obligations(*, adverse_event: AdverseEvent, by: User | None) -> statuses.Recalculation:
    """Bring the event's obligations in line with its latest facts: new ones appear, ones no longer
    required are marked so with the reason, nothing is deleted; running it twice changes nothing."""
    event = AdverseEvent.objects.select_related("study", "study_site__institution").get(pk=adverse_event.pk)
    version = selectors.latest_version(event)
    facts, policies = event_facts(event, version)
    stored = {o.key: o for o in ReportingObligation.objects.select_for_update().filter(adverse_event=event)}
    plan = statuses.recalculate(
        {k: o.status for k, o in stored.items()}, clocks.obligations_for(facts, policies)
    )
    for obligation in plan.create:
        records.create_record(
            ReportingObligation(
                study_id=event.study_id,
                study_site_id=event.study_site_id,
                adverse_event=event,
                from_version=version.number,
                **_clock_values(obligation),
            ),
            by=by,
            reason=f"reporting obligation of {event.number} version {version.number}",
        )
    for obligation in plan.reopen:
        records.update_record(
            stored[obligation.key],
            changes={
                "status": ObligationStatus.OPEN,
                "not_required_reason": "",
                "from_version": version.number,
                **_clock_values(obligation),
            },
            by=by,
            reason=f"required again after {event.number} version {version.number}",
            action="reopened",
        )
    for key in plan.retire:
        why = clocks.not_required_reason(key, facts, policies)
        records.update_record(
            stored[key],
            changes={"status": ObligationStatus.NOT_REQUIRED, "not_required_reason": why},
            by=by,
            reason=f"{event.number} version {version.number}: {why}",
            action="not_required",
        )
    return plan


def _clock_values(obligation: clocks.Obligation) -> dict:
    return {
        "key": obligation.key,
        "recipient": obligation.recipient,
        "jurisdiction": obligation.jurisdiction,
        "rule": obligation.rule,
        "description": obligation.description,
        "reporting_party": obligation.party,
        "clock": obligation.clock,
        "length": obligation.length,
        "starts_at": obligation.starts_at,
        "due_at": obligation.due_at,
        "due_on": obligation.due_on,
        "time_zone": str(obligation.due_at.tzinfo),
    }


# Obligations ---------------------------------------------------------------------------------------------


def mark_submitted(
    *,
    obligation: ReportingObligation,
    by: User,
    submitted_at: dt.datetime | None = None,
    reference_number: str = "",
    reason: str = "",
    expected_version: int | None = None,
) -> ReportingObligation:
    """Record that the report was submitted: when, by whom, under which reference number."""
    require(
        can_submit_obligation(
            by,
            study_id=obligation.study_id,
            study_site_id=obligation.study_site_id,
            party=obligation.reporting_party,
        ),
        ONLY_SUBMITTERS,
    )
    if obligation.status != ObligationStatus.OPEN:
        raise ValidationError(
            {"status": f"This report is {obligation.get_status_display().lower()}, not open."}
        )
    submitted_at = submitted_at or timezone.now()
    if submitted_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"submitted_at": "A report cannot be submitted in the future."})
    if submitted_at < obligation.starts_at:
        raise ValidationError({"submitted_at": "A report cannot be submitted before its clock started."})
    return records.update_record(
        obligation,
        changes={
            "status": ObligationStatus.SUBMITTED,
            "submitted_at": submitted_at,
            "submitted_by": by,
            "reference_number": (reference_number or "").strip(),
        },
        by=by,
        reason=(reason or "").strip() or "report submitted",
        expected_version=expected_version,
        action="submitted",
    )


@transaction.atomic
def ensure_dsur_obligation(*, study: Study, by: User | None, today: dt.date | None = None):
    """The study's next annual safety report (DSUR) as an obligation, when its birth date is known."""
    settings = selectors.settings_of(study)
    if not settings.development_birth_date:
        return None
    lock, due_on = clocks.dsur_due_on(
        development_birth_date=settings.development_birth_date, today=today or timezone.now().date()
    )
    key = f"DSUR-{lock.isoformat()}"
    found = ReportingObligation.objects.filter(study=study, adverse_event__isnull=True, key=key).first()
    if found:
        return found
    zone = reportable.zone_of(settings.sponsor_time_zone)
    return records.create_record(
        ReportingObligation(
            study=study,
            key=key,
            recipient="Regulatory authorities and ethics committees",
            jurisdiction="ICH",
            rule="ICH E2F 2.4; 21 CFR 312.33; Regulation (EU) No 536/2014 art. 43",
            description=f"Development safety update report (data lock point {lock.isoformat()})",
            reporting_party="sponsor",
            clock="calendar",
            length=60,
            starts_at=dt.datetime.combine(lock, dt.time(0, 0), tzinfo=zone),
            due_at=dt.datetime.combine(due_on, clocks.END_OF_DAY, tzinfo=zone),
            due_on=due_on,
            time_zone=settings.sponsor_time_zone,
        ),
        by=by,
        reason="annual safety report due",
    )


# Study settings ------------------------------------------------------------------------------------------


@transaction.atomic
def save_safety_settings(
    *, study: Study, by: User, reason: str = "", expected_version: int | None = None, **values
) -> StudySafetySettings:
    require(can_oversee_safety(by, study.pk), ONLY_OVERSEERS)
    values = records.only_fields(values, SETTINGS_FIELDS)
    found = StudySafetySettings.objects.filter(study=study).first()
    if found is None:
        saved = records.create_record(StudySafetySettings(study=study, **values), by=by, reason=reason)
    else:
        saved = records.update_record(
            found,
            changes=values,
            by=by,
            reason=reason or "safety settings changed",
            expected_version=expected_version,
        )
    ensure_dsur_obligation(study=study, by=by)
    return saved


def add_reference_safety_information(*, study: Study, by: User, reason: str = "", **values):
    require(can_oversee_safety(by, study.pk), ONLY_OVERSEERS)
    values = records.only_fields(values, ("label", "effective_on", "note"))
    return records.create_record(ReferenceSafetyInformation(study=study, **values), by=by, reason=reason)


def add_committee_policy(*, study: Study, by: User, reason: str = "", **values) -> CommitteeReportingPolicy:
    require(can_oversee_safety(by, study.pk), ONLY_OVERSEERS)
    values = records.only_fields(values, POLICY_FIELDS)
    return records.create_record(CommitteeReportingPolicy(study=study, **values), by=by, reason=reason)


# Calendar feed -------------------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_calendar_feed(*, user: User) -> tuple[CalendarFeed, str]:
    """A new private feed URL token (shown once); the person's earlier feeds are revoked."""
    revoke_calendar_feeds(user=user)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(user=user, token_hash=token_hash(token), prefix=token[:8])
    return feed, token


def revoke_calendar_feeds(*, user: User) -> int:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def feed_owner(token: str) -> User | None:
    feed = (
        CalendarFeed.objects.filter(token_hash=token_hash(token), revoked_at__isnull=True)
        .select_related("user")
        .first()
    )
    if feed is None or not feed.user.is_active:
        return None
    return feed.user
