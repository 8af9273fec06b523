"""What the sites app shows on shared pages: the study's Sites tab, the overview's site figures and the
portfolio's site columns (registered in SitesConfig.ready)."""

from collections import defaultdict

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from trialdesk.sites import rules, selectors
from trialdesk.sites.models import StudySite


def _visible_sites(request, study):
    return selectors.sites_for(request.user, study)


def sites_section(request, study) -> dict:
    sites = list(_visible_sites(request, study))
    openable = selectors.people_openable_by(request.user, [s.principal_investigator_person_id for s in sites])
    return {"sites": sites, "openable_people": openable}


def study_overview_panel(request, study) -> dict:
    """Countries and site counts over the sites the reader may see."""
    sites = list(_visible_sites(request, study))
    return {
        "countries": sorted({(s.institution.country, s.institution.country_name) for s in sites}),
        "site_count": len(sites),
        "active_site_count": sum(1 for s in sites if s.is_active),
        "target_enrollment_of_sites": sum(s.target_enrollment for s in sites),
    }


def _site_count(condition: Q):
    """An annotation: the study's sites meeting `condition` (a subquery, so it joins nothing)."""
    counted = (
        StudySite.objects.filter(condition, study=OuterRef("pk"))
        .order_by()
        .values("study")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def active_sites_annotation() -> dict:
    return {"sites_active": _site_count(Q(status__in=rules.ACTIVE_STATUSES))}


def planned_sites_annotation() -> dict:
    return {"sites_planned": _site_count(~Q(status="terminated"))}


def countries_of(user, studies) -> dict[int, list[str]]:
    """The countries of each study's sites (one query for a page of studies)."""
    countries: dict[int, set[str]] = defaultdict(set)
    rows = (
        StudySite.objects.filter(study_id__in=[s.pk for s in studies])
        .values_list("study_id", "institution__country")
        .order_by()  # no default ordering inside DISTINCT (it would add the study's code and a join)
        .distinct()
    )
    for study_id, country in rows:
        countries[study_id].add(country)
    return {study.pk: sorted(countries[study.pk]) for study in studies}
