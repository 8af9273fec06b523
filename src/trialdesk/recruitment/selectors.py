"""Reads of recruitment, always from what the reader may see: criteria (the study's), pools and
candidates (the site's staff and the study's CRM), and counts per site by status (everyone on the study:
figures, never a candidate)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q

from trialdesk.recruitment.models import Candidate, CandidateStatus, EligibilityCriterion, PrescreeningPool
from trialdesk.sites.models import StudySite

CANDIDATE_ORDERS = {
    "key": ("key",),
    "-key": ("-key",),
    "status": ("status", "key"),
    "-status": ("-status", "key"),
    "screened": ("screened_on", "key"),
    "-screened": ("-screened_on", "key"),
}


def criteria_for(user, study) -> list[EligibilityCriterion]:
    return list(
        EligibilityCriterion.objects.visible_to(user)
        .filter(study=study)
        .order_by("-section", "position", "id")
    )


def pool_for(user, study_site: StudySite) -> PrescreeningPool | None:
    return PrescreeningPool.objects.visible_to(user).filter(study_site=study_site).first()


def candidates_for(user, pool: PrescreeningPool, *, status: str = "", order: str = "key"):
    found = Candidate.objects.visible_to(user).filter(pool=pool).select_related("screening_entry")
    if status in CandidateStatus.values:
        found = found.filter(status=status)
    return found.order_by(*CANDIDATE_ORDERS.get(order, CANDIDATE_ORDERS["key"]))


@dataclass(frozen=True)
class SiteCounts:
    """A site's candidates by status, and how many were approached (figures only)."""

    site: StudySite
    eligible: int
    unknown: int
    ineligible: int
    approached: int

    @property
    def total(self) -> int:
        return self.eligible + self.unknown + self.ineligible


def counts_by_site(sites) -> list[SiteCounts]:
    """Candidates per site by status, for the sites given (the reader's visible sites)."""
    rows = (
        Candidate.objects.filter(pool__study_site__in=sites)
        .values("pool__study_site_id")
        .annotate(
            eligible=Count("pk", filter=Q(status=CandidateStatus.ELIGIBLE)),
            unknown=Count("pk", filter=Q(status=CandidateStatus.UNKNOWN)),
            ineligible=Count("pk", filter=Q(status=CandidateStatus.INELIGIBLE)),
            approached=Count("pk", filter=Q(screening_entry__isnull=False)),
        )
    )
    by_site = {row.pop("pool__study_site_id"): row for row in rows}
    empty = {"eligible": 0, "unknown": 0, "ineligible": 0, "approached": 0}
    return [SiteCounts(site, **by_site.get(site.pk, empty)) for site in sites]


@dataclass(frozen=True)
class CostlyCriterion:
    """A criterion and how many candidates it alone or with others rules out (a recruitment cost)."""

    criterion_id: int
    label: str
    text: str
    excluded: int
    share: float  # of the candidates screened


def costly_criteria(sites, *, limit: int = 10) -> list[CostlyCriterion]:
    """The criteria that rule out the most candidates at these sites: an inclusion not met, an exclusion
    met (a signal to the protocol team that a criterion costs recruitment)."""
    excluded: Counter = Counter()
    words: dict[int, tuple[str, str]] = {}
    total = 0
    for results in (
        Candidate.objects.filter(pool__study_site__in=sites).values_list("results", flat=True).iterator()
    ):
        total += 1
        for item in results:
            exclusion = item.get("label", "").startswith("E")
            if (item["result"] == "not_met" and not exclusion) or (item["result"] == "met" and exclusion):
                excluded[item["criterion"]] += 1
                words[item["criterion"]] = (item["label"], item["text"])
    return [
        CostlyCriterion(pk, words[pk][0], words[pk][1], count, count / total)
        for pk, count in excluded.most_common(limit)
    ]


def sites_for(user, study):
    return list(
        StudySite.objects.visible_to(user)
        .filter(study=study)
        .select_related("institution")
        .order_by("site_number")
    )
