"""Reads for site staff: who may perform a task, training gaps, delegation logs and disclosures due.

`may_perform` and `protocol_training_gaps` are called by other apps (consent recording, AE causality,
the amendment checklist); the rest start from `visible_to(user)` for pages and the API.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils import timezone

from trialdesk.core.models import AuditEvent, RoleAssignment, User
from trialdesk.core.permissions import can_work_at_site
from trialdesk.core.roles import Role
from trialdesk.people import rules
from trialdesk.people.models import DelegationEntry, FinancialDisclosure, TrainingRecord
from trialdesk.people.permissions import can_see_financial_interests
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import MilestoneKind, ProtocolStatus, ProtocolVersion, Study

# Statuses of a protocol version that staff must be trained on once the sponsor has approved it.
TRAINED_ON_STATUSES = (ProtocolStatus.APPROVED, ProtocolStatus.EFFECTIVE)


# Contracts with other apps -----------------------------------------------------------------------------


def may_perform(user: User, study_site: StudySite, task: str, on: dt.date | None = None) -> bool:
    """Whether `user` may perform delegation-log task `task` at `study_site` on `on` (default: the
    site's today).

    A site with no delegation-log entries is not keeping its log in Trialdesk yet: everyone who may
    work at the site may perform. Once it has an entry, only staff with a signed delegation of the
    task in force that day may.
    """
    if task not in rules.TASKS:
        raise ValueError(f"Unknown delegation task {task!r}; the tasks are {', '.join(rules.TASK_CODES)}.")
    if on is None:
        on = study_site.local_today()
    entries = DelegationEntry.objects.filter(study_site_id=study_site.pk)
    site_keeps_log = entries.exists()
    delegated = site_keeps_log and any(
        task in entry.tasks and entry.in_force_on(on)
        for entry in entries.filter(staff_member_id=user.pk, signed_at__isnull=False)
    )
    return rules.may_perform_task(
        site_keeps_log=site_keeps_log,
        may_work_at_site=can_work_at_site(user, study_id=study_site.study_id, study_site_id=study_site.pk),
        delegated=delegated,
    )


def protocol_training_gaps(study_site_ids, protocol_version) -> dict[int, list[User]]:
    """Per study site id, the staff currently on its delegation log (an entry not ended by the site's
    today) who have no training on `protocol_version` (a ProtocolVersion or its id).

    Four queries whatever the number of sites: the amendment status asks this for hundreds at once.
    """
    version_id = getattr(protocol_version, "pk", protocol_version)
    site_ids = list(study_site_ids)
    now, today_in = timezone.now(), {}
    today_at = {}
    for site_id, zone in StudySite.objects.filter(pk__in=site_ids).values_list(
        "pk", "institution__time_zone"
    ):
        if zone not in today_in:
            today_in[zone] = now.astimezone(ZoneInfo(zone)).date()
        today_at[site_id] = today_in[zone]
    on_log: dict[int, set[int]] = defaultdict(set)
    rows = DelegationEntry.objects.filter(study_site_id__in=site_ids).values_list(
        "study_site_id", "staff_member_id", "ends_on"
    )
    for site_id, user_id, ends_on in rows:
        if ends_on is None or ends_on >= today_at[site_id]:
            on_log[site_id].add(user_id)
    staff_ids = set().union(*on_log.values()) if on_log else set()
    on_any_log = DelegationEntry.objects.filter(study_site_id__in=site_ids).values("staff_member_id")
    trained = set(
        TrainingRecord.objects.filter(
            kind="protocol", protocol_version_id=version_id, staff_member_id__in=on_any_log
        ).values_list("staff_member_id", flat=True)
    )
    lacking = staff_ids - trained
    users = {}
    if lacking:
        found = User.objects.filter(pk__in=on_any_log).exclude(pk__in=trained)
        users = {user.pk: user for user in found if user.pk in lacking}
    return {
        site_id: sorted((users[u] for u in on_log.get(site_id, ()) if u in users), key=lambda u: u.username)
        for site_id in site_ids
    }


# Training ----------------------------------------------------------------------------------------------


def current_protocol_version(study: Study | int) -> ProtocolVersion | None:
    """The version staff must be trained on: the newest one the sponsor has approved (approved or
    effective), so that retraining starts as soon as an amendment is approved."""
    study_id = getattr(study, "pk", study)
    return (
        ProtocolVersion.objects.filter(study_id=study_id, status__in=TRAINED_ON_STATUSES)
        .order_by("-version_date", "-id")
        .first()
    )


def training_facts(study_id: int, user_ids) -> dict[int, list[rules.TrainingFact]]:
    """Every training record of these people for the study, as facts for the rules (one query)."""
    facts: dict[int, list[rules.TrainingFact]] = defaultdict(list)
    rows = TrainingRecord.objects.filter(study_id=study_id, staff_member_id__in=list(user_ids))
    for record in rows.only("staff_member_id", "kind", "completed_on", "expires_on", "protocol_version_id"):
        facts[record.staff_member_id].append(record.as_fact())
    return facts


def training_gaps_of(study: Study, user_ids, *, on: dt.date, tasks=()) -> dict[int, list[str]]:
    """Per user id, what is missing for their training to be current on `on` for `tasks` (empty list:
    current), against the study's current protocol version."""
    version = current_protocol_version(study)
    facts = training_facts(study.pk, user_ids)
    needs_system = bool(set(tasks) & rules.SYSTEM_TASKS)
    return {
        user_id: rules.training_gaps(
            facts.get(user_id, []),
            on=on,
            protocol_version_id=version.pk if version else None,
            protocol_label=f"v{version.number}" if version else "",
            needs_system=needs_system,
        )
        for user_id in user_ids
    }


def training_records_for(user: User, study: Study) -> QuerySet[TrainingRecord]:
    return (
        TrainingRecord.objects.visible_to(user)
        .filter(study=study)
        .select_related("staff_member", "protocol_version", "study_site")
    )


# Delegation log ----------------------------------------------------------------------------------------


def site_staff_of(study_site: StudySite) -> QuerySet[User]:
    """The people who may be put on a site's delegation log: its coordinators and investigators."""
    held = RoleAssignment.objects.filter(
        study_site=study_site, role__in=(Role.COORDINATOR, Role.INVESTIGATOR)
    ).values("user_id")
    return User.objects.filter(pk__in=held, is_active=True).order_by("username")


def delegation_entries_for(user: User, study: Study) -> QuerySet[DelegationEntry]:
    return (
        DelegationEntry.objects.visible_to(user)
        .filter(study=study)
        .select_related("staff_member", "signed_by", "study_site__institution")
    )


@dataclass
class DelegationRow:
    """A delegation-log line on the page, with whether it is in force and the person's training gaps."""

    entry: DelegationEntry
    in_force: bool
    training_gaps: list[str]


@dataclass
class SiteLog:
    """One site's delegation log as the Staff tab shows it."""

    site: StudySite
    today: dt.date
    rows: list[DelegationRow] = field(default_factory=list)

    @property
    def flagged(self) -> int:
        return sum(1 for row in self.rows if row.training_gaps and row.in_force)


def delegation_logs(user: User, study: Study, sites=None) -> list[SiteLog]:
    """Each visible site's delegation log (or those of `sites`, already visible) with training flags for
    the study's current protocol version."""
    version = current_protocol_version(study)
    if sites is None:
        sites = StudySite.objects.visible_to(user).filter(study=study).select_related("institution")
        sites = sites.order_by("site_number")
    logs = {site.pk: SiteLog(site, site.local_today()) for site in sites}
    entries = list(delegation_entries_for(user, study).filter(study_site_id__in=list(logs)))
    facts = training_facts(study.pk, {e.staff_member_id for e in entries})
    for entry in entries:
        log = logs[entry.study_site_id]
        gaps = rules.training_gaps(
            facts.get(entry.staff_member_id, []),
            on=log.today,
            protocol_version_id=version.pk if version else None,
            protocol_label=f"v{version.number}" if version else "",
            needs_system=bool(set(entry.tasks) & rules.SYSTEM_TASKS),
        )
        log.rows.append(DelegationRow(entry, entry.in_force_on(log.today), gaps))
    return list(logs.values())


def site_training_flags(study_site: StudySite) -> list[tuple[User, list[str]]]:
    """The site's staff (coordinators, investigators and anyone on its log) whose training is not
    current for the study's current protocol version, with what is missing (for the site page)."""
    return training_flags_by_site([study_site], study_site.study)[study_site.pk]


# Financial disclosure ----------------------------------------------------------------------------------


def disclosures_for(user: User, study: Study) -> QuerySet[FinancialDisclosure]:
    return (
        FinancialDisclosure.objects.visible_to(user)
        .filter(study=study)
        .select_related("investigator", "study_site")
    )


DISCLOSURE_TYPE = FinancialDisclosure._meta.label_lower


@dataclass(frozen=True)
class DisclosureFacts:
    """What deciding who sees a disclosure's interests needs (permissions.can_see_financial_interests)."""

    investigator_id: int | None
    study_id: int | None


def mask_financial_interests(events: Iterable[AuditEvent], user: User) -> Iterator[AuditEvent]:
    """The audit events, those of financial disclosures with their interests replaced by "not shown"
    where `user` may not see them; the stored events are untouched, so never save what this yields.
    One query per disclosure met; a deleted disclosure's interests are shown only to the study's readers."""
    facts: dict[str, DisclosureFacts] = {}
    for event in events:
        if event.object_type == DISCLOSURE_TYPE and event.changes:
            if event.object_id not in facts:
                facts[event.object_id] = _disclosure_facts(event)
            if not can_see_financial_interests(user, facts[event.object_id]):
                event.changes = _interests_hidden(event.changes)
        yield event


def _disclosure_facts(event: AuditEvent) -> DisclosureFacts:
    found = FinancialDisclosure.objects.filter(pk=int(event.object_id) if event.object_id.isdigit() else None)
    row = found.values_list("investigator_id", "study_id").first()
    return DisclosureFacts(*row) if row else DisclosureFacts(None, event.study_id)


def _interests_hidden(changes: dict) -> dict:
    return {
        field: [None if value is None else rules.NOT_SHOWN for value in values]
        if field in rules.INTEREST_FIELDS
        else values
        for field, values in changes.items()
    }


def study_closed_on(study: Study) -> dt.date | None:
    """The study's close for disclosures: the actual date of its last participant's last visit."""
    return (
        study.milestones.filter(
            kind=MilestoneKind.LAST_PARTICIPANT_LAST_VISIT, study_site__isnull=True, actual_on__isnull=False
        )
        .values_list("actual_on", flat=True)
        .first()
    )


@dataclass
class InvestigatorDisclosures:
    """One investigator at one site: the disclosures owed and those collected."""

    site: StudySite
    investigator: User
    participation_starts_on: dt.date
    owed: list[rules.DisclosureDue]
    collected: list[FinancialDisclosure]

    @property
    def worst(self) -> str:
        states = {d.status for d in self.owed}
        return next((s for s in ("overdue", "due", "not_yet") if s in states), "done")


def investigators_of(sites) -> dict[int, dict[int, tuple[User, dt.date]]]:
    """Per site id, the investigators who owe disclosures (those with the investigator role there and
    those the delegation log lists as principal or sub-investigator) and when their participation began
    (their first delegation, else the day they were given the role)."""
    site_by_id = {site.pk: site for site in sites}
    found: dict[int, dict[int, tuple[User, dt.date]]] = defaultdict(dict)
    entries = DelegationEntry.objects.filter(study_site_id__in=site_by_id).select_related("staff_member")
    for entry in entries.order_by("starts_on"):
        if entry.study_role in rules.INVESTIGATOR_STUDY_ROLES:
            found[entry.study_site_id].setdefault(
                entry.staff_member_id, (entry.staff_member, entry.starts_on)
            )
    roles = RoleAssignment.objects.filter(study_site_id__in=site_by_id, role=Role.INVESTIGATOR)
    for role in roles.select_related("user"):
        site = site_by_id[role.study_site_id]
        began = role.granted_at.astimezone(site.zone).date()
        found[site.pk].setdefault(role.user_id, (role.user, began))
    return found


def disclosure_status(user: User, study: Study) -> list[InvestigatorDisclosures]:
    """For each visible site, each investigator's disclosures owed and collected, worst first."""
    sites = StudySite.objects.visible_to(user).filter(study=study).select_related("institution")
    return disclosure_status_at(study, list(sites), disclosures_for(user, study))


def disclosure_status_at(study: Study, sites, disclosures=None) -> list[InvestigatorDisclosures]:
    """Each investigator's disclosures owed and collected at `sites` (already in the reader's scope),
    worst first; `disclosures` defaults to all of the study's (for the command-line report)."""
    if disclosures is None:
        disclosures = FinancialDisclosure.objects.filter(study=study).select_related("investigator")
    closed_on = study_closed_on(study)
    collected = defaultdict(list)
    for disclosure in disclosures:
        collected[(disclosure.study_site_id, disclosure.investigator_id)].append(disclosure)
    investigators = investigators_of(sites)
    rows = []
    for site in sites:
        today = site.local_today()
        for investigator, began in investigators.get(site.pk, {}).values():
            mine = collected.get((site.pk, investigator.pk), [])
            disclosed = {}
            for d in mine:
                disclosed[d.occasion] = max(disclosed.get(d.occasion, d.disclosed_on), d.disclosed_on)
            owed = rules.disclosures_due(
                participation_starts_on=began, study_closed_on=closed_on, disclosed=disclosed, today=today
            )
            rows.append(InvestigatorDisclosures(site, investigator, began, owed, mine))
    order = {"overdue": 0, "due": 1, "not_yet": 2, "done": 3}
    return sorted(rows, key=lambda r: (order[r.worst], r.site.site_number, r.investigator.username))


def staff_of_study(study: Study) -> QuerySet[User]:
    """Everyone with a role on the study or at one of its sites (who may have training filed)."""
    on_study = Q(role_assignments__study=study, role_assignments__study_site__isnull=True) | Q(
        role_assignments__study_site__study=study
    )
    return User.objects.filter(on_study, is_active=True).distinct().order_by("username")


def training_flags_by_site(sites, study: Study) -> dict[int, list[tuple[User, list[str]]]]:
    """Per site id, its staff (coordinators, investigators, anyone on its log) whose training is not
    current today for the study's current protocol version, with what is missing (batched queries)."""
    sites = list(sites)
    site_ids = [site.pk for site in sites]
    people: dict[int, set[int]] = defaultdict(set)
    for site_id, user_id in RoleAssignment.objects.filter(
        study_site_id__in=site_ids, role__in=(Role.COORDINATOR, Role.INVESTIGATOR), user__is_active=True
    ).values_list("study_site_id", "user_id"):
        people[site_id].add(user_id)
    for site_id, user_id in DelegationEntry.objects.filter(study_site_id__in=site_ids).values_list(
        "study_site_id", "staff_member_id"
    ):
        people[site_id].add(user_id)
    everyone = {user_id for ids in people.values() for user_id in ids}
    users = {user.pk: user for user in User.objects.filter(pk__in=everyone)}
    version = current_protocol_version(study)
    facts = training_facts(study.pk, everyone)
    flags = {}
    for site in sites:
        today = site.local_today()
        found = []
        for user_id in people.get(site.pk, ()):
            gaps = rules.training_gaps(
                facts.get(user_id, []),
                on=today,
                protocol_version_id=version.pk if version else None,
                protocol_label=f"v{version.number}" if version else "",
            )
            if gaps:
                found.append((users[user_id], gaps))
        flags[site.pk] = sorted(found, key=lambda pair: pair[0].username)
    return flags
