"""Study sites in the global search: by site number, institution name or city."""

from django.urls import reverse

from trialdesk.core.extensions import SearchHits, SearchResult, SearchSource
from trialdesk.core.search import hits
from trialdesk.sites.models import StudySite


def _result(site: StudySite) -> SearchResult:
    institution = site.institution
    return SearchResult(
        f"{site.study.code} site {site.site_number}: {institution.name}",
        f"{institution.city}, {institution.country} · {site.get_status_display()}",
        reverse("study_site_detail", args=[site.pk]),
    )


def find_sites(user, query: str, limit: int) -> SearchHits:
    return hits(
        StudySite.objects.visible_to(user)
        .select_related("study", "institution")
        .order_by("study__code", "site_number"),
        query=query,
        fields=("site_number", "institution__name", "institution__city"),
        limit=limit,
        result=_result,
    )


SITES = SearchSource("sites", "Sites", find_sites, order=20)
