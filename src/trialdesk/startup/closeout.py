"""The study's close-out reporting obligations: when its end of trial is recorded (the last participant's
last visit as an actual study milestone), when it is halted (status suspended) or terminated early, the
notifications and results that Regulation (EU) No 536/2014 Art. 37–38 and FDAAA 801 require become
reporting obligations (safety's ReportingObligation, on the sponsor's clock) the way the DSUR does: on the
obligations board and My work of the study's CRM and safety officer, and on the study's End of trial tab.

A record listener (core.extensions.record_listeners) on the study and its milestones runs the creation
after the write commits; running it again changes nothing, an open obligation follows a corrected date,
and a submitted or missed one never changes (rules.closeout_obligations says what is wanted)."""

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import connection, transaction

from trialdesk.core import extensions, records
from trialdesk.core.models import AuditEvent, User
from trialdesk.safety import selectors as safety_selectors
from trialdesk.safety.models import ObligationStatus, ReportingObligation
from trialdesk.safety.rules.clocks import END_OF_DAY
from trialdesk.sites.models import StudySite
from trialdesk.startup import rules, sources
from trialdesk.studies.models import Milestone, MilestoneKind, Study, StudyStatus

log = logging.getLogger(__name__)
WATCHED = ("studies.study", "studies.milestone")
REASON = "study close-out: end-of-trial notification or results deadline"
PRIMARY_COMPLETION_NAME = "primary completion"


@dataclass(frozen=True)
class Events:
    """The study's close-out events as recorded: days in the sponsor's zone, and the reasons given."""

    end_of_trial: dt.date | None
    primary_completion: dt.date | None
    halts: tuple[tuple[dt.date, str], ...]
    early_termination: tuple[dt.date, str] | None


def events_of(study: Study, zone) -> Events:
    """End of trial and primary completion from the study's actual milestones; halts and an early
    termination from the audit trail of its status (the day and the reason of each change)."""
    end = primary = None
    for milestone in Milestone.objects.filter(study=study, study_site__isnull=True, actual_on__isnull=False):
        if milestone.kind == MilestoneKind.LAST_PARTICIPANT_LAST_VISIT:
            end = milestone.actual_on
        elif milestone.kind == MilestoneKind.CUSTOM and PRIMARY_COMPLETION_NAME in milestone.name.lower():
            primary = milestone.actual_on
    halts, termination = [], None
    trail = AuditEvent.objects.filter(object_type="studies.study", object_id=str(study.pk)).order_by("id")
    for occurred_at, changes, reason in trail.values_list("occurred_at", "changes", "reason"):
        new = (changes or {}).get("status", [None, None])[1]
        day = occurred_at.astimezone(zone).date()
        if new == StudyStatus.SUSPENDED:
            halts.append((day, reason))
        elif new == StudyStatus.TERMINATED:
            termination = (day, reason)
    if study.status != StudyStatus.TERMINATED:
        termination = None
    return Events(end, primary, tuple(halts), termination)


@transaction.atomic
def ensure_closeout_obligations(*, study: Study, by: User | None) -> list[ReportingObligation]:
    """Create the close-out obligations whose event has happened; move the due day of an open one whose
    event was corrected. Returns the obligations created or changed."""
    settings = safety_selectors.settings_of(study)
    zone = settings.zone
    events = events_of(study, zone)
    sites = list(StudySite.objects.filter(study=study).select_related("institution"))
    countries = {site.institution.country for site in sites}
    wanted = []
    for halt_on, reason in events.halts or [(None, "")]:
        wanted += [
            (w, reason)
            for w in rules.closeout_obligations(
                countries=countries, end_of_trial=None, primary_completion=None, temporary_halt=halt_on
            )
            if w.rule.counted_from == rules.TEMPORARY_HALT
        ]
    termination_on, termination_reason = events.early_termination or (None, "")
    wanted += [
        (w, termination_reason if w.rule.counted_from == rules.EARLY_TERMINATION else "")
        for w in rules.closeout_obligations(
            countries=countries, end_of_trial=events.end_of_trial,
            primary_completion=events.primary_completion, early_termination=termination_on,
            country_ends=country_ends(study, sites) if events.end_of_trial or termination_on else None,
        )
        if w.rule.counted_from != rules.TEMPORARY_HALT
    ]  # fmt: skip
    stored = {
        o.key: o
        for o in ReportingObligation.objects.select_for_update().filter(
            study=study, adverse_event__isnull=True, key__in=[w.key for w, _ in wanted]
        )
    }
    written = []
    for want, reason in wanted:
        values = clock_values(want, zone, reason)
        found = stored.get(want.key)
        if found is None:
            written.append(
                records.create_record(ReportingObligation(study=study, **values), by=by, reason=REASON)
            )
        elif found.status == ObligationStatus.OPEN and found.due_on != want.due_on:
            changes = {k: values[k] for k in ("starts_at", "day_zero", "due_at", "due_on", "length")}
            written.append(
                records.update_record(found, changes=changes, by=by, reason="event date corrected")
            )
    return written


def country_ends(study: Study, sites: list[StudySite]) -> dict[str, dt.date]:
    """The end of the trial in each country whose every site has ended: the last visit of its last
    participant (a site's own actual last-participant-last-visit milestone, else its last visit done
    once none is still scheduled; a site without participant visits does not hold its country back)."""
    recorded = dict(
        Milestone.objects.filter(
            study=study, study_site__in=sites, kind=MilestoneKind.LAST_PARTICIPANT_LAST_VISIT,
            actual_on__isnull=False,
        ).values_list("study_site_id", "actual_on")
    )  # fmt: skip
    visits = sources.last_visits([s for s in sites if s.pk not in recorded])
    ends: dict[str, list[dt.date]] = {}
    open_countries = set()
    for site in sites:
        country = site.institution.country
        if site.pk in recorded:
            ends.setdefault(country, []).append(recorded[site.pk])
            continue
        found = visits[site.pk]
        if not found.done:
            open_countries.add(country)
        elif found.done_on is not None:
            ends.setdefault(country, []).append(found.done_on)
    return {country: max(days) for country, days in ends.items() if country not in open_countries}


def clock_values(want: rules.WantedObligation, zone, reason: str = "") -> dict:
    """The obligation's fields: the sponsor's calendar clock from the event's day to the end of the due day
    in the sponsor's zone (labelled with it)."""
    starts_at = dt.datetime.combine(want.starts_on, dt.time(0, 0), tzinfo=zone)
    description = (
        f"{want.rule.what} ({want.rule.counted_from.replace('_', ' ')} {want.starts_on.isoformat()})"
    )
    if want.basis:
        description += f"; counted from the {want.basis}"
    if reason:
        description += f"; reasons: {reason}"
    return {
        "key": want.key,
        "recipient": want.recipient[:200],
        "jurisdiction": want.rule.jurisdiction,
        "rule": want.rule.citation[:300],
        "description": description[:300],
        "reporting_party": "sponsor",
        "clock": "calendar",
        "length": (want.due_on - want.starts_on).days,
        "starts_at": starts_at,
        "day_zero": starts_at,
        "due_at": dt.datetime.combine(want.due_on, END_OF_DAY, tzinfo=zone),
        "due_on": want.due_on,
        "time_zone": str(zone),
    }


@dataclass(frozen=True)
class CloseoutJob:
    """Run after the commit of the write that may have recorded a close-out event; equal jobs compare
    equal, so a transaction writing several milestones of a study runs once."""

    study_id: int

    def __call__(self) -> None:
        study = Study.objects.filter(pk=self.study_id).first()
        if study is not None:
            ensure_closeout_obligations(study=study, by=None)


def study_written(instance) -> None:
    if isinstance(instance, Milestone):
        if instance.study_site_id or instance.kind not in (
            MilestoneKind.LAST_PARTICIPANT_LAST_VISIT,
            MilestoneKind.CUSTOM,
        ):
            return
        study_id = instance.study_id
    else:
        study_id = instance.pk
    job = CloseoutJob(study_id)
    if any(entry[1] == job for entry in connection.run_on_commit):
        return
    # robust: a failure here is logged, never raised to the person who recorded the milestone or status.
    transaction.on_commit(job, robust=True)


LISTENER = extensions.RecordListener("startup-closeout", WATCHED, study_written)


def study_obligations(user: User, study: Study):
    """The study's close-out obligations the reader sees, soonest due first."""
    prefixes = [rule.key for rule in rules.CLOSEOUT_DEADLINES]
    found = ReportingObligation.objects.visible_to(user).filter(study=study, adverse_event__isnull=True)
    return [o for o in found.order_by("due_at", "id") if o.key.split("/")[0] in prefixes]
