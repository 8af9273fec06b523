"""The oversight list of many sites, sorted and paged: what each sort needs is read for every site in a
few light queries (no KRI scoring: the tiers come from the flags stored when the KRIs were last scored),
and only the page's sites get their full figures (selectors.oversight.site_oversight)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count

from trialdesk.monitoring.models import ActionItem, ActionStatus, SiteMonitoring
from trialdesk.monitoring.selectors.due import due_visits, plans_in_force
from trialdesk.monitoring.selectors.tiers import StoredTier, stored_tiers
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study

#: ?sort= keys and their column labels; each sorts the way a CRM reads it first (highest tier, soonest
#: due, most overdue, most open action items first), a leading "-" reverses.
SORTS = (
    ("site", "Site"),
    ("cra", "CRA"),
    ("tier", "Tier"),
    ("next_due", "Next visit due"),
    ("overdue", "Days overdue"),
    ("open_items", "Open action items"),
)
DEFAULT_SORT = "site"
TIER_RANK = {"high": 0, "medium": 1, "low": 2}
#: What the due visits and the figures read of a site (loading only these halves the cost for 2,000).
SITE_FIELDS = (
    "study_id",
    "site_number",
    "status",
    "planned_activation_on",
    "activated_on",
    "institution__time_zone",
)


@dataclass
class SiteEntry:
    """What the list sorts one site by."""

    site_id: int
    study_id: int
    study_code: str
    site_number: str
    cra: str = ""
    tier: StoredTier | None = None
    open_items: int = 0
    next_due_on: dt.date | None = None
    overdue_days: int = 0

    def key(self, sort: str) -> tuple:
        site = (self.study_code, self.site_number)
        tier_rank = TIER_RANK.get(self.tier.tier, 3) if self.tier else 3
        points = -self.tier.reading.points if self.tier else 0
        return {
            "site": site,
            "cra": (self.cra == "", self.cra, *site),
            "tier": (tier_rank, points, *site),
            "next_due": (self.next_due_on is None, self.next_due_on or dt.date.max, *site),
            "overdue": (-self.overdue_days, self.next_due_on is None, self.next_due_on or dt.date.max, *site),
            "open_items": (-self.open_items, *site),
        }[sort]


def clean_sort(asked: str) -> str:
    """The ?sort= value if it names a column (with or without "-"), else the default."""
    return asked if asked.lstrip("-") in dict(SORTS) else DEFAULT_SORT


def site_entries(sites, *, sort: str) -> tuple[list[SiteEntry], dict[int, StoredTier]]:
    """Every site of the queryset `sites` (already limited to what the reader may see), sorted by
    `sort`, and the stored tiers of the sites whose study has a monitoring plan. A fixed number of
    queries whatever the number of sites; sorting by the visit due works out every site's next visit."""
    rows = sites.values_list("pk", "study_id", "study__code", "site_number").order_by()
    entries = {pk: SiteEntry(pk, study_id, code, number) for pk, study_id, code, number in rows}
    with_plan = set(plans_in_force({entry.study_id for entry in entries.values()}))
    planned = sites.filter(study_id__in=with_plan)
    tiers = stored_tiers(planned, with_plan)
    for pk, tier in tiers.items():
        entries[pk].tier = tier
    cras = SiteMonitoring.objects.filter(study_site_id__in=sites.values("pk"))
    for pk, cra in cras.values_list("study_site_id", "cra__username").order_by():
        entries[pk].cra = cra or ""
    if sort.lstrip("-") == "open_items":
        counts = (
            ActionItem.objects.filter(study_site_id__in=sites.values("pk"), status=ActionStatus.OPEN)
            .values("study_site_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in counts:
            entries[row["study_site_id"]].open_items = row["n"]
    if sort.lstrip("-") in ("next_due", "overdue"):
        _with_next_due(entries, planned, tiers)
    found = sorted(entries.values(), key=lambda entry: entry.key(sort.lstrip("-")))
    return (found[::-1] if sort.startswith("-") else found), tiers


def _with_next_due(entries: dict[int, SiteEntry], planned, tiers) -> None:
    sites = _loaded(planned)
    for due in reversed(due_visits(sites, tiers={pk: tier.reading for pk, tier in tiers.items()})):
        entry = entries[due.site.pk]  # the soonest last
        entry.next_due_on, entry.overdue_days = due.due_on, due.overdue_days


def _loaded(sites) -> list[StudySite]:
    """The sites with what the due visits and the figures read of them: their institution's time zone
    and their study's code (one Study object per study, not one per site)."""
    found = list(sites.select_related("institution").only(*SITE_FIELDS))
    studies = Study.objects.only("code").in_bulk({site.study_id for site in found})
    for site in found:
        site.study = studies[site.study_id]
    return found


def page_sites(entries: list[SiteEntry]) -> list[StudySite]:
    """The sites of a page of entries, in the page's order."""
    by_id = {site.pk: site for site in _loaded(StudySite.objects.filter(pk__in=[e.site_id for e in entries]))}
    return [by_id[entry.site_id] for entry in entries]


def cra_groups(entries: list[SiteEntry]) -> list[tuple[str, list[SiteEntry]]]:
    """The entries per CRA, in the order of selectors.oversight.by_cra (sites without one last), so a
    page of CRAs is chosen before any figure is worked out."""
    groups: dict[str, list[SiteEntry]] = {}
    for entry in entries:
        groups.setdefault(entry.cra, []).append(entry)
    return sorted(groups.items(), key=lambda item: (item[0] == "", item[0]))
