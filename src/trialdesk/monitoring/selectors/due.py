"""The next monitoring visit due at each site (rules.schedule), for many sites at once: a fixed number
of grouped queries per call, plus the KRIs of each study (a site's tier depends on them)."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Max, Min, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from trialdesk.monitoring.models import MonitoringPlan, MonitoringVisit, MonitoringVisitStatus, SiteMonitoring
from trialdesk.monitoring.rules import schedule
from trialdesk.monitoring.rules.tiers import TierReading
from trialdesk.monitoring.selectors.tiers import study_site_tiers
from trialdesk.sites.models import StudySite
from trialdesk.subjects import rules as subject_rules
from trialdesk.subjects.models import Participant

INTERIM = ("imv", "for_cause")
ENDED = ("completed", "withdrawn", "lost_to_follow_up", "died")


@dataclass(frozen=True)
class DueVisit:
    """One visit due at a site: what, how, by when, why, and who."""

    study_code: str
    site: StudySite
    visit_type: str
    modality: str
    due_on: dt.date
    overdue_days: int
    reason: str
    cra: str | None
    tier: str = ""

    def as_dict(self) -> dict:
        return {
            "study": self.study_code,
            "site": self.site.site_number,
            "visit_type": self.visit_type,
            "modality": self.modality,
            "due_on": self.due_on.isoformat(),
            "overdue_days": self.overdue_days,
            "reason": self.reason,
            "cra": self.cra,
        }


def of_sites(sites) -> Q:
    """A filter on `study_site_id` for rows of `sites`: by study where `sites` are every site of their
    studies (a short IN list: Django builds one naming 2,000 sites far more slowly than SQLite runs it),
    else by site. One count query."""
    study_ids = {site.study_id for site in sites}
    if StudySite.objects.filter(study_id__in=study_ids).count() == len({site.pk for site in sites}):
        return Q(study_id__in=study_ids, study_site_id__isnull=False)
    return Q(study_site_id__in=[site.pk for site in sites])


def plan_schedule(plan: MonitoringPlan) -> schedule.PlanSchedule:
    return schedule.PlanSchedule(
        first_imv_weeks=plan.first_imv_weeks,
        cov_within_days=plan.cov_within_days,
        qualification_required=plan.qualification_required,
        tiers={
            rule.tier: schedule.TierSchedule(rule.interval_days, rule.modality)
            for rule in plan.tier_rules.all()
        },
    )


def plans_in_force(study_ids) -> dict[int, MonitoringPlan]:
    plans = {}
    for plan in (
        MonitoringPlan.objects.filter(study_id__in=study_ids)
        .prefetch_related("tier_rules")
        .order_by("number")
    ):
        plans[plan.study_id] = plan  # the newest last
    return plans


def _visit_history(rows: Q) -> tuple[dict, dict]:
    """Per site: {visit type: last day conducted}, and (day, modality) of the last interim visit."""
    conducted = MonitoringVisit.objects.filter(rows, status=MonitoringVisitStatus.CONDUCTED)
    last_day = Coalesce("conducted_end_on", "conducted_on")
    done: dict[int, dict[str, dt.date]] = defaultdict(dict)
    for row in conducted.values("study_site_id", "visit_type").annotate(last=Max(last_day)).order_by():
        done[row["study_site_id"]][row["visit_type"]] = row["last"]
    interim = {}
    rows = conducted.filter(visit_type__in=INTERIM).annotate(last=last_day).order_by("last", "id")
    for site_id, last, modality in rows.values_list("study_site_id", "last", "modality"):
        interim[site_id] = (last, modality)
    return done, interim


def participants_by_site(site_ids) -> dict[int, dict]:
    """Per site: the first enrollment, how many are still on study, and when the last one ended.
    `site_ids`: ids, or a filter on `study_site_id` (of_sites)."""
    which = site_ids if isinstance(site_ids, Q) else Q(study_site_id__in=site_ids)
    rows = (
        Participant.objects.filter(which, status__in=subject_rules.COUNTS_AS_ENROLLED)
        .values("study_site_id")
        .annotate(
            first=Min("enrolled_on"),
            enrolled=Count("id"),
            on_study=Count("id", filter=~Q(status__in=ENDED)),
            last_ended=Max("status_changed_on", filter=Q(status__in=ENDED)),
        )
        .order_by()
    )
    return {row["study_site_id"]: row for row in rows}


@dataclass(frozen=True)
class PlannedVisit:
    visit_type: str
    modality: str
    planned_on: dt.date
    purpose: str


def _planned(rows: Q) -> dict[int, list[PlannedVisit]]:
    planned: dict[int, list[PlannedVisit]] = defaultdict(list)
    open_statuses = (MonitoringVisitStatus.PLANNED, MonitoringVisitStatus.CONFIRMED)
    visits = MonitoringVisit.objects.filter(rows, status__in=open_statuses).order_by("planned_on", "id")
    for site_id, *fields in visits.values_list(
        "study_site_id", "visit_type", "modality", "planned_on", "purpose"
    ):
        planned[site_id].append(PlannedVisit(*fields))
    return planned


def local_todays(sites) -> dict[int, dt.date]:
    """Each site's local date, worked out once per time zone (many sites share a few zones)."""
    by_zone: dict[str, dt.date] = {}
    found = {}
    for site in sites:
        zone = site.institution.time_zone
        if zone not in by_zone:
            by_zone[zone] = site.local_today()
        found[site.pk] = by_zone[zone]
    return found


def due_visits(
    sites: list[StudySite], *, as_of: dt.date | None = None, tiers: dict[int, TierReading] | None = None
) -> list[DueVisit]:
    """The visits due at `sites` (with `institution` and `study` loaded), soonest first. Sites of a study
    without a monitoring plan have nothing due. `as_of` defaults to each site's local today."""
    plans = plans_in_force({site.study_id for site in sites})
    rows = of_sites(sites)
    cras = dict(SiteMonitoring.objects.filter(rows).values_list("study_site_id", "cra__username"))
    done, interim = _visit_history(rows)
    people = participants_by_site(rows)
    planned = _planned(rows)
    tiers = tiers if tiers is not None else tiers_of(sites, plans)
    todays = local_todays(sites)
    schedules = {study_id: plan_schedule(plan) for study_id, plan in plans.items()}
    found = []
    for site in sites:
        plan = plans.get(site.study_id)
        if plan is None:
            continue
        today = as_of or todays[site.pk]
        cra = cras.get(site.pk)
        tier = tiers[site.pk].tier if site.pk in tiers else "medium"
        history = _history(
            site, today, tier, done.get(site.pk, {}), interim.get(site.pk), people.get(site.pk)
        )
        routine = schedule.next_due(history, schedules[site.study_id])
        for due in _with_planned(routine, planned.get(site.pk, [])):
            found.append(
                DueVisit(
                    site.study.code,
                    site,
                    due.visit_type,
                    due.modality,
                    due.due_on,
                    due.overdue_days(today),
                    due.reason,
                    cra,
                    tier,
                )
            )
    return sorted(found, key=lambda d: (d.due_on, d.study_code, d.site.site_number))


def tiers_of(sites, plans) -> dict[int, TierReading]:
    tiers: dict[int, TierReading] = {}
    by_study: dict[int, list[StudySite]] = defaultdict(list)
    for site in sites:
        by_study[site.study_id].append(site)
    for study_id, members in by_study.items():
        if study_id in plans:
            tiers.update(study_site_tiers(members[0].study, site_ids=[s.pk for s in members]))
    return tiers


def _history(site, today, tier, done, interim, people) -> schedule.SiteHistory:
    people = people or {}
    finished = people.get("first") is not None and people.get("on_study") == 0
    return schedule.SiteHistory(
        status=site.status,
        tier=tier,
        today=today,
        planned_activation_on=site.planned_activation_on,
        activated_on=site.activated_on,
        first_enrolled_on=people.get("first"),
        last_participant_last_visit_on=people.get("last_ended") if finished else None,
        done=done,
        last_interim=interim,
    )


def _with_planned(routine: schedule.Due | None, planned: list[PlannedVisit]) -> list[schedule.Due]:
    """The routine visit due (saying when it is planned, if it is), and each planned for-cause visit."""
    found = []
    for visit in planned:
        if visit.visit_type == "for_cause":
            why = visit.purpose.splitlines()[0] if visit.purpose else gettext("for-cause visit")
            reason = gettext("for-cause: %(why)s") % {"why": why}
            found.append(schedule.Due("for_cause", visit.modality, visit.planned_on, reason))
    if routine is not None:
        booked = next((v for v in planned if v.visit_type == routine.visit_type), None)
        if booked is not None:
            routine = schedule.Due(
                routine.visit_type,
                routine.modality,
                routine.due_on,
                gettext("%(reason)s; planned for %(date)s")
                % {"reason": routine.reason, "date": f"{booked.planned_on:%Y-%m-%d}"},
            )
        found.append(routine)
    return found
