"""Storing each site's KRI flags (models.tiers) when the study's KRIs are scored, so that the oversight
list of many sites reads the tiers instead of scoring every study's KRIs on each view."""

from django.db import transaction
from django.utils import timezone

from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.monitoring.models import MonitoringPlan, SiteTierSnapshot
from trialdesk.monitoring.permissions import can_monitor_some_site
from trialdesk.sites.models import StudySite
from trialdesk.statistics import kris
from trialdesk.studies.models import Study

ONLY_STUDY_MONITORING = "Only the study's CRM and its monitors score its KRIs for the risk tiers."


def _flags(results) -> dict[int, list[dict]]:
    """Red and amber flags per site id, from KRIs scored over every site of the study."""
    found: dict[int, list[dict]] = {}
    for result in results:
        for row in result.rows:
            if row.flag is None or row.flag == 0:
                continue
            found.setdefault(row.site.pk, []).append(
                {
                    "kri": result.definition.key,
                    "name": result.definition.name,
                    "flag": row.flag,
                    "score": None if row.score is None else round(row.score, 4),
                }
            )
    return found


@transaction.atomic
def store_tier_flags(*, study: Study, by: User | None, kri_results=None) -> int:
    """Score the study's KRIs (or take `kri_results`, scored over every site by the caller) and store
    every site's flags with the time; returns how many sites. `by` None: a scheduled run."""
    if by is not None:
        require(can_monitor_some_site(by, study.pk), ONLY_STUDY_MONITORING)
    results = kri_results if kri_results is not None else kris.all_site_kris(study)
    flags = _flags(results)
    now = timezone.now()
    site_ids = list(StudySite.objects.filter(study=study).values_list("pk", flat=True))
    SiteTierSnapshot.objects.filter(study=study).delete()
    SiteTierSnapshot.objects.bulk_create(
        SiteTierSnapshot(
            study=study, study_site_id=site_id, flags=flags.get(site_id, []), scored_at=now, scored_by=by
        )
        for site_id in site_ids
    )
    return len(site_ids)


def studies_without_tier_flags(study_ids) -> list[Study]:
    """Studies (among `study_ids`) with a monitoring plan and a site whose flags were never stored (a
    new study, or a site added since the last scoring)."""
    with_plan = MonitoringPlan.objects.filter(study_id__in=study_ids).values("study_id")
    missing = (
        StudySite.objects.filter(study_id__in=with_plan, monitoring_tier_snapshot__isnull=True)
        .values("study_id")
        .distinct()
    )
    return list(Study.objects.filter(pk__in=missing).order_by("code"))
