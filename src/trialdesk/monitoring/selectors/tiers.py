"""Each site's risk tier (rules.tiers) from its KRI flags, its open issues and the CRM's own setting:
scored now (`study_site_tiers`, for one study's pages), or from the flags stored when the KRIs were last
scored (`stored_tiers`, for lists of many sites; the open issues and the setting are read now)."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count

from trialdesk.monitoring.models import Issue, IssueStatus, SiteMonitoring, SiteTierSnapshot
from trialdesk.monitoring.rules.tiers import TierReading, site_tier
from trialdesk.sites.models import StudySite
from trialdesk.statistics import kris
from trialdesk.studies.models import Study


def flags_by_site(results) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """(red, amber) KRI names per site id, from KRIs scored over every site of the study."""
    red: dict[int, list[str]] = defaultdict(list)
    amber: dict[int, list[str]] = defaultdict(list)
    for result in results:
        for row in result.rows:
            if row.flag is None or row.flag == 0:
                continue
            (red if abs(row.flag) >= 2 else amber)[row.site.pk].append(result.definition.name)
    return red, amber


def open_issues_by_site(study_ids) -> dict[int, dict[str, int]]:
    found: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        Issue.objects.filter(study_id__in=study_ids, study_site__isnull=False)
        .exclude(status=IssueStatus.CLOSED)
        .values("study_site_id", "severity")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        found[row["study_site_id"]][row["severity"]] = row["n"]
    return found


def study_site_tiers(study: Study, *, kri_results=None, site_ids=None) -> dict[int, TierReading]:
    """Every site's tier (or those in `site_ids`); the KRIs are scored study-wide."""
    results = kri_results if kri_results is not None else kris.all_site_kris(study)
    red, amber = flags_by_site(results)
    issues = open_issues_by_site([study.pk])
    overrides = dict(
        SiteMonitoring.objects.filter(study=study)
        .exclude(tier_override="")
        .values_list("study_site_id", "tier_override")
    )
    ids = (
        site_ids
        if site_ids is not None
        else StudySite.objects.filter(study=study).values_list("pk", flat=True)
    )
    return {
        site_id: site_tier(
            red_flags=tuple(red.get(site_id, ())),
            amber_flags=tuple(amber.get(site_id, ())),
            open_issues=issues.get(site_id, {}),
            override=overrides.get(site_id, ""),
        )
        for site_id in ids
    }


@dataclass(frozen=True)
class StoredTier:
    """A site's tier from its KRI flags as scored at `scored_at`, and its open issues and hand-set tier
    as they are now."""

    reading: TierReading
    scored_at: dt.datetime

    @property
    def tier(self) -> str:
        return self.reading.tier


def stored_tiers(sites, study_ids) -> dict[int, StoredTier]:
    """The tier of each site of the queryset `sites` (of the studies `study_ids`) whose KRI flags were
    stored; a site without stored flags is absent (services.tiers.studies_without_tier_flags finds
    them). Three queries, whatever the number of sites."""
    site_ids = sites.values("pk")
    snapshots = SiteTierSnapshot.objects.filter(study_site_id__in=site_ids)
    issues = open_issues_by_site(study_ids)
    overrides = dict(
        SiteMonitoring.objects.filter(study_site_id__in=site_ids)
        .exclude(tier_override="")
        .values_list("study_site_id", "tier_override")
    )
    found = {}
    for site_id, flags, scored_at in snapshots.values_list("study_site_id", "flags", "scored_at").order_by():
        reading = site_tier(
            red_flags=tuple(f["name"] for f in flags if abs(f["flag"]) >= 2),
            amber_flags=tuple(f["name"] for f in flags if abs(f["flag"]) == 1),
            open_issues=issues.get(site_id, {}),
            override=overrides.get(site_id, ""),
        )
        found[site_id] = StoredTier(reading, scored_at)
    return found
