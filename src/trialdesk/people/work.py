""" "My work" from the people app: a person's own training that is missing or expiring on a study they
work on (as a site's coordinator or investigator, or as someone on a site's delegation log), and the
delegation-log entries waiting for their signature as the site's principal investigator."""

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from trialdesk.core.extensions import WorkItem, WorkSource
from trialdesk.core.roles import SITE_STAFF_ROLES, Role
from trialdesk.core.scoping import role_facts
from trialdesk.people import rules
from trialdesk.people.models import DelegationEntry, TrainingRecord
from trialdesk.people.permissions import can_sign_delegation
from trialdesk.people.selectors import TRAINED_ON_STATUSES
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import ProtocolVersion, Study


def own_training_due(user, today) -> list[WorkItem]:
    """Five queries whatever the number of studies: the person's log entries, their sites' local days,
    the studies, the studies' current protocol versions and the person's training records."""
    entries = DelegationEntry.objects.filter(staff_member=user).values_list(
        "study_site_id", "tasks", "ends_on"
    )
    facts = role_facts(user)
    site_ids = {site_id for site_id, roles in facts.site_roles.items() if roles & SITE_STAFF_ROLES}
    tasks_by_site: dict[int, set[str]] = defaultdict(set)
    for site_id, tasks, ends_on in entries:
        if ends_on is None or ends_on >= today:  # an ended delegation asks no more training
            site_ids.add(site_id)
            tasks_by_site[site_id] |= set(tasks)
    if not site_ids:
        return []
    local_day, study_of = _local_days(user, site_ids)
    studies = {s.pk: s for s in Study.objects.visible_to(user).filter(pk__in=set(study_of.values()))}
    versions = _current_protocol_versions(studies)
    records: dict[int, list[rules.TrainingFact]] = defaultdict(list)
    for record in TrainingRecord.objects.visible_to(user).filter(
        staff_member=user, study_id__in=list(studies)
    ):
        records[record.study_id].append(record.as_fact())
    items = []
    for study_id, study in sorted(studies.items(), key=lambda pair: pair[1].code):
        sites = [site_id for site_id, of in study_of.items() if of == study_id]
        version = versions.get(study_id)
        due = rules.training_due(
            records[study_id],
            # Judged on the latest local day among the person's sites of the study (as the services do).
            on=max(local_day[site_id] for site_id in sites),
            protocol_version_id=version.pk if version else None,
            protocol_label=f"v{version.number}" if version else "",
            needs_system=any(tasks_by_site[site_id] & rules.SYSTEM_TASKS for site_id in sites),
        )
        items += [_training_item(study, entry) for entry in due]
    return items


def _local_days(user, site_ids) -> tuple[dict[int, dt.date], dict[int, int]]:
    """Today at each of the sites (that the person may see), and each site's study."""
    now = timezone.now()
    local_day, study_of = {}, {}
    rows = StudySite.objects.visible_to(user).filter(pk__in=site_ids)
    for site_id, study_id, zone in rows.values_list("pk", "study_id", "institution__time_zone"):
        local_day[site_id] = now.astimezone(ZoneInfo(zone)).date()
        study_of[site_id] = study_id
    return local_day, study_of


def _current_protocol_versions(studies: dict[int, Study]) -> dict[int, ProtocolVersion]:
    """Each study's version staff are trained on (people.selectors.current_protocol_version), at once."""
    found: dict[int, ProtocolVersion] = {}
    rows = ProtocolVersion.objects.filter(study_id__in=list(studies), status__in=TRAINED_ON_STATUSES)
    for version in rows.order_by("study_id", "-version_date", "-id"):
        found.setdefault(version.study_id, version)
    return found


def _training_item(study: Study, due: rules.TrainingDue) -> WorkItem:
    return WorkItem(
        kind="training",
        title=gettext("Your training: %(what)s") % {"what": due.what},
        due_on=due.due_on,
        url=reverse("training_record_create", kwargs={"study_id": study.pk}),
        study_code=study.code,
        overdue=due.missing,
    )


def delegations_to_sign(user, today) -> list[WorkItem]:
    """Unsigned, not ended delegation-log entries at the sites where the person is the investigator who
    signs (people.permissions.can_sign_delegation); one query, and one per such site for the rule."""
    facts = role_facts(user)
    sites = [site_id for site_id, roles in facts.site_roles.items() if Role.INVESTIGATOR in roles]
    if not sites:
        return []
    entries = (
        DelegationEntry.objects.visible_to(user)
        .filter(study_site_id__in=sites, signed_at__isnull=True)
        .select_related("study", "study_site__institution", "staff_member")
        .order_by("starts_on", "id")
    )
    signer_of: dict[int, bool] = {}
    items = []
    for entry in entries:
        site = entry.study_site
        today_there = site.local_today()
        if entry.ends_on is not None and entry.ends_on < today_there:
            continue
        if site.pk not in signer_of:
            signer_of[site.pk] = can_sign_delegation(user, site)
        if signer_of[site.pk]:
            items.append(_signature_item(entry, today_there))
    return items


def _signature_item(entry: DelegationEntry, today: dt.date) -> WorkItem:
    person = entry.staff_member.get_full_name() or entry.staff_member.username
    return WorkItem(
        kind="delegation_signatures",
        title=gettext("Sign the delegation to %(person)s at site %(site)s: %(tasks)s")
        % {"person": person, "site": entry.study_site.site_number, "tasks": ", ".join(entry.task_labels())},
        due_on=entry.starts_on,
        url=reverse("delegation_sign", kwargs={"delegation_entry_id": entry.pk}),
        study_code=entry.study.code,
        overdue=entry.starts_on < today,
    )


TRAINING = WorkSource("training", "Your training", own_training_due, order=40)
DELEGATIONS = WorkSource("delegation_signatures", "Delegations to sign", delegations_to_sign, order=50)
