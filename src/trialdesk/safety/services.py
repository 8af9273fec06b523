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
from django.utils.translation import gettext

from trialdesk.core import records
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.people.selectors import may_perform
from trialdesk.safety import deliveries, selectors
from trialdesk.safety.models import (
    AdverseEvent,
    AdverseEventVersion,
    CalendarFeed,
    CommitteeReportingPolicy,
    ObligationStatus,
    ProtocolReportingExemption,
    ReferenceSafetyInformation,
    ReportingObligation,
    StudySafetySettings,
)
from trialdesk.safety.permissions import (
    can_oversee_safety,
    can_record_adverse_events,
    can_submit_obligation,
)
from trialdesk.safety.rules import clocks, consistency, reportable, rulebook, statuses
from trialdesk.sites.models import StudySite
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
    "received_at",
    "significant",
    "device_deficiency",
    "imminent_risk",
    "protocol_exemption",
    "narrative",
)
# Facts of the event that stay with a follow-up unless it changes them (received_at and significant are the
# follow-up's own: when this information arrived, and whether it is significant).
OWN_TO_A_VERSION = ("received_at", "significant")
SETTINGS_FIELDS = (
    "sponsor_country",
    "sponsor_time_zone",
    "product_type",
    "site_to_sponsor_hours",
    "extra_jurisdictions",
    "excluded_jurisdictions",
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


def _refuse_future_facts(version: AdverseEventVersion, site: StudySite) -> None:
    """An onset after the site's today, or an awareness after now, is refused naming the field. Asked
    before full_clean: a future onset would otherwise be reported as an awareness "before the onset"."""

    def typed(value, kind):
        return value if isinstance(value, kind) else None  # a value of the wrong type is full_clean's

    problems = consistency.future_problems(
        onset_on=typed(version.onset_on, dt.date),
        site_aware_at=typed(version.site_aware_at, dt.datetime),
        sponsor_aware_at=typed(version.sponsor_aware_at, dt.datetime),
        site_today=site.local_today(),
        now=timezone.now(),
    )
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def record_adverse_event(*, participant: Participant, by: User, reason: str = "", **values) -> AdverseEvent:
    """Record a new adverse event (its version 1) and create the reporting obligations it starts."""
    site = participant.study_site
    require(can_record_adverse_events(by, site), ONLY_RECORDERS)
    values = records.only_fields(values, VERSION_FIELDS)
    event = AdverseEvent(study_id=participant.study_id, study_site=site, participant=participant)
    version = AdverseEventVersion(adverse_event=event, number=1, recorded_by=by, **values)
    _refuse_future_facts(version, site)
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
    values = {name: getattr(previous, name) for name in VERSION_FIELDS if name not in OWN_TO_A_VERSION}
    values["received_at"] = timezone.now()
    values.update(changes)
    version = AdverseEventVersion(adverse_event=event, number=previous.number + 1, recorded_by=by, **values)
    _refuse_future_facts(version, event.study_site)
    version.full_clean(exclude=["adverse_event"])
    if version.received_at < previous.information_received_at:
        raise ValidationError(
            {"received_at": gettext("Follow-up information is received after the information before it.")}
        )
    if version.received_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"received_at": gettext("Information cannot be received in the future.")})
    if version.causality and version.causality != previous.causality:
        require(_may_assess_causality(by, event.participant, event.study_site.local_today()), ONLY_DELEGATED)
    records.create_record(version, by=by, reason=reason)
    changes = {"latest_version": version.number, **_summary(version)}
    event = records.update_record(event, changes=changes, by=by, reason=reason, action="followed_up")
    recalculate_obligations(adverse_event=event, by=by)
    return version


def event_facts(event: AdverseEvent, version: AdverseEventVersion | None = None):
    """The clock engine's facts of the event (every version as a piece of information received over
    time, the reports already made) and the committee policies that apply to it.

    Until judged, expectedness counts as unexpected and causality as related: a report may be withdrawn
    once the investigator or sponsor decides otherwise, a clock that never started cannot be caught up.
    """
    settings = selectors.settings_of(event.study)
    policies = selectors.committee_policies(event.study, event.study_site)
    versions = list(event.versions.select_related("protocol_exemption").order_by("number"))
    first, latest = versions[0], versions[-1]
    site_country = event.study_site.institution.country
    exemption = latest.protocol_exemption
    hours = exemption.site_to_sponsor_hours if exemption else settings.site_to_sponsor_hours
    if not exemption and site_country in rulebook.TWENTY_FOUR_HOUR_COUNTRIES:
        hours = min(hours, 24)
    submitted = ReportingObligation.objects.filter(adverse_event=event, submitted_at__isnull=False)
    facts = reportable.EventFacts(
        product=settings.product_type,
        jurisdictions=selectors.study_jurisdictions(event.study, settings)
        + tuple(f"{rulebook.IRB_PREFIX}{name}" for name in policies),
        serious=bool(first.seriousness),
        seriousness=tuple(first.seriousness or ()),
        expected=first.expected is True,
        related=first.related is not False,
        unanticipated_device_effect=latest.unanticipated_device_effect,
        device_deficiency=latest.device_deficiency,
        imminent_risk=latest.imminent_risk,
        site_aware_at=first.site_aware_at,
        sponsor_aware_at=first.sponsor_aware_at or first.site_aware_at,
        site_timezone=event.study_site.institution.time_zone,
        sponsor_timezone=str(settings.zone),
        site_to_sponsor_hours=hours,
        protocol_exemption=f"section {exemption.protocol_section}" if exemption else "",
        site_country=site_country,
        information=tuple(_information(v) for v in versions[1:]),
        submitted=tuple(submitted.values_list("key", "submitted_at")),
    )
    return facts, policies


def _information(version: AdverseEventVersion) -> reportable.Information:
    return reportable.Information(
        received_at=version.information_received_at,
        seriousness=tuple(version.seriousness or ()),
        expected=version.expected is True,
        related=version.related is not False,
        significant=version.significant,
    )


@transaction.atomic
def recalculate_obligations(*, adverse_event: AdverseEvent, by: User | None) -> statuses.Recalculation:
    """Bring the event's obligations in line with its information: new ones appear; an open one no longer
    required is marked so with the reason, or kept as missed when its due time had passed; met and
    missed ones never change; nothing is deleted; running it twice changes nothing."""
    event = AdverseEvent.objects.select_related("study", "study_site__institution").get(pk=adverse_event.pk)
    version = selectors.latest_version(event)
    facts, policies = event_facts(event)
    now = timezone.now()
    stored = {o.key: o for o in ReportingObligation.objects.select_for_update().filter(adverse_event=event)}
    wanted = clocks.obligations_for(facts, policies, now=now)
    plan = statuses.recalculate(
        {k: o.status for k, o in stored.items()},
        wanted,
        due={k: o.due_at for k, o in stored.items()},
        now=now,
    )
    for obligation in plan.create:
        created = records.create_record(
            ReportingObligation(
                study_id=event.study_id,
                study_site_id=event.study_site_id,
                adverse_event=event,
                from_version=obligation.from_version,
                **_clock_values(obligation),
            ),
            by=by,
            reason=f"reporting obligation of {event.number} version {obligation.from_version}",
        )
        deliveries.plan_deliveries(obligation=created, distribution=obligation.distribution, by=by)
    for obligation in plan.reopen:
        records.update_record(
            stored[obligation.key],
            changes={
                "status": ObligationStatus.OPEN,
                "not_required_reason": "",
                "from_version": obligation.from_version,
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
    for key in plan.missed:
        due_text = stored[key].due_at.astimezone(stored[key].zone).strftime("%Y-%m-%d %H:%M %Z")
        why = (
            f"{clocks.not_required_reason(key, facts, policies)} But it was due {due_text} and not reported "
            "by then: kept as missed."
        )
        records.update_record(
            stored[key],
            changes={"status": ObligationStatus.MISSED, "not_required_reason": why},
            by=by,
            reason=f"{event.number} version {version.number}: {why}",
            action="missed",
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
        "day_zero": obligation.day_zero or obligation.starts_at,
        "due_at": obligation.due_at,
        "due_on": obligation.due_on,
        "time_zone": str(obligation.due_at.tzinfo),
    }


# Obligations ---------------------------------------------------------------------------------------------


@transaction.atomic
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
    if obligation.submitted_at is not None or obligation.status not in (
        ObligationStatus.OPEN,
        ObligationStatus.MISSED,
    ):
        raise ValidationError(
            {
                "status": gettext("This report is %(value)s, not open.")
                % {"value": obligation.get_status_display().lower()}
            }
        )
    submitted_at = submitted_at or timezone.now()
    if submitted_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"submitted_at": gettext("A report cannot be submitted in the future.")})
    if submitted_at < (obligation.day_zero or obligation.starts_at):
        raise ValidationError(
            {"submitted_at": gettext("A report cannot be submitted before its clock started.")}
        )
    status = statuses.status_when_submitted(due_at=obligation.due_at, submitted_at=submitted_at)
    saved = records.update_record(
        obligation,
        changes={
            "status": status,
            "submitted_at": submitted_at,
            "submitted_by": by,
            "reference_number": (reference_number or "").strip(),
            "not_required_reason": "Reported after its due time." if status == statuses.MISSED else "",
        },
        by=by,
        reason=(reason or "").strip() or "report submitted",
        expected_version=expected_version,
        action="submitted",
    )
    if saved.adverse_event_id:
        # Follow-up clocks (complete report within 8 days of this one) start from the report made.
        recalculate_obligations(adverse_event=saved.adverse_event, by=by)
        saved.refresh_from_db()
    return saved


def dsur_lead_study(study: Study) -> Study:
    """The study a product's DSUR obligation hangs on: one report per product (its program, ICH E2F 1.2),
    kept with the program's first study that has a birth date; a study outside a program is its own."""
    if not study.program_id:
        return study
    lead = (
        StudySafetySettings.objects.filter(
            study__program_id=study.program_id, development_birth_date__isnull=False
        )
        .order_by("study_id")
        .select_related("study")
        .first()
    )
    return lead.study if lead else study


@transaction.atomic
def ensure_dsur_obligation(*, study: Study, by: User | None, today: dt.date | None = None):
    """The product's next annual safety report (DSUR) as an obligation, when its birth date is known."""
    study = dsur_lead_study(study)
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
    zone = settings.zone
    product = f"program {study.program.name}" if study.program_id else f"study {study.code}"
    starts_at = dt.datetime.combine(lock, clocks.END_OF_DAY, tzinfo=zone)
    return records.create_record(
        ReportingObligation(
            study=study,
            key=key,
            recipient="Regulatory authorities and ethics committees",
            jurisdiction="ICH",
            rule="ICH E2F 2.3, 2.4; 21 CFR 312.33; Regulation (EU) No 536/2014 art. 43",
            description=f"Development safety update report of {product} (data lock point {lock.isoformat()})",
            reporting_party="sponsor",
            clock="calendar",
            length=60,
            starts_at=starts_at,
            day_zero=starts_at,
            due_at=dt.datetime.combine(due_on, clocks.END_OF_DAY, tzinfo=zone),
            due_on=due_on,
            time_zone=str(zone),
        ),
        by=by,
        reason="annual safety report due",
    )


def ensure_dsur_obligations(*, by: User | None, today: dt.date | None = None):
    """Each product's next DSUR (`trialdesk safety dsur`): (study code, obligation), one per program."""
    seen = set()
    found = StudySafetySettings.objects.filter(development_birth_date__isnull=False).select_related("study")
    for settings in found.order_by("study_id"):
        lead = dsur_lead_study(settings.study)
        if lead.pk in seen:
            continue
        seen.add(lead.pk)
        yield lead.code, ensure_dsur_obligation(study=lead, by=by, today=today)


def _settings_problems(study: Study, saved: StudySafetySettings) -> dict[str, str]:
    """What the law refuses in a study's safety settings, beyond each field's own checks."""
    errors = {}
    countries = set(StudySite.objects.filter(study=study).values_list("institution__country", flat=True))
    if saved.site_to_sponsor_hours > 24 and countries & rulebook.TWENTY_FOUR_HOUR_COUNTRIES:
        errors["site_to_sponsor_hours"] = gettext(
            "Sites in the EU/EEA or the UK report serious adverse events to the sponsor within 24 hours "
            "(Regulation (EU) No 536/2014 art. 41(2); SI 2004/1031 reg. 32): record a protocol exemption "
            "for a kind of event that may take longer instead."
        )
    if study.program_id and saved.development_birth_date:
        other = (
            StudySafetySettings.objects.filter(
                study__program_id=study.program_id, development_birth_date__isnull=False
            )
            .exclude(study=study)
            .exclude(development_birth_date=saved.development_birth_date)
            .select_related("study")
            .first()
        )
        if other:
            errors["development_birth_date"] = gettext(
                "The product's program already has the birth date "
                "%(development_birth_date)s (study %(code)s): one DSUR per "
                "product."
            ) % {"development_birth_date": other.development_birth_date, "code": other.study.code}
    return errors


# Study settings ------------------------------------------------------------------------------------------


@transaction.atomic
def save_safety_settings(
    *, study: Study, by: User, reason: str = "", expected_version: int | None = None, **values
) -> StudySafetySettings:
    require(can_oversee_safety(by, study.pk), ONLY_OVERSEERS)
    values = records.only_fields(values, SETTINGS_FIELDS)
    found = StudySafetySettings.objects.filter(study=study).first()
    candidate = StudySafetySettings(study=study)
    for name in SETTINGS_FIELDS:
        setattr(
            candidate, name, values.get(name, getattr(found, name) if found else getattr(candidate, name))
        )
    if errors := _settings_problems(study, candidate):
        raise ValidationError(errors)
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


def add_protocol_exemption(
    *, study: Study, by: User, reason: str = "", **values
) -> ProtocolReportingExemption:
    """A kind of serious event the protocol exempts from the 24-hour report, with its section and limit."""
    require(can_oversee_safety(by, study.pk), ONLY_OVERSEERS)
    values = records.only_fields(values, ("kind_of_event", "protocol_section", "site_to_sponsor_hours"))
    return records.create_record(ProtocolReportingExemption(study=study, **values), by=by, reason=reason)


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
