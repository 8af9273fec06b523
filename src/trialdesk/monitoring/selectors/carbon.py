"""Carbon totals of monitoring travel per study, site and CRA, and what remote visits would have saved
where the plan allows them."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from trialdesk.monitoring.models import MonitoringModality, MonitoringVisit, MonitoringVisitStatus

INTERIM = ("imv", "for_cause")


@dataclass
class CarbonTotal:
    """One line of totals: on-site and remote visits conducted, km travelled, kg CO2e, and the kg of
    on-site interim visits that could have been remote under the plan ("remote instead")."""

    label: str
    on_site: int = 0
    remote: int = 0
    travel_km: Decimal = Decimal(0)
    kg_co2e: Decimal = Decimal(0)
    remote_instead_kg: Decimal = Decimal(0)
    unknown: int = 0  # on-site visits whose travel could not be worked out (no geo points, no distance)

    def add(self, row: dict, *, remote_allowed: bool) -> None:
        if row["modality"] != MonitoringModality.ON_SITE:
            self.remote += 1
            return
        self.on_site += 1
        if row["kg_co2e"] is None:
            self.unknown += 1
            return
        self.travel_km += row["travel_km"] or 0
        self.kg_co2e += row["kg_co2e"]
        if remote_allowed and row["visit_type"] in INTERIM:
            self.remote_instead_kg += row["kg_co2e"]


@dataclass
class CarbonTotals:
    total: CarbonTotal
    by_site: list[CarbonTotal] = field(default_factory=list)
    by_cra: list[CarbonTotal] = field(default_factory=list)


def carbon_totals(
    visits: QuerySet[MonitoringVisit],
    *,
    remote_allowed_site_ids: set[int],
    site_labels: dict[int, str] | None = None,
) -> CarbonTotals:
    """Totals over the conducted visits of `visits` (already scoped to the reader)."""
    rows = visits.filter(status=MonitoringVisitStatus.CONDUCTED).values(
        "study_site_id",
        "study_site__site_number",
        "cra__username",
        "modality",
        "visit_type",
        "travel_km",
        "kg_co2e",
    )
    total = CarbonTotal("All visits")
    sites: dict[int, CarbonTotal] = {}
    cras: dict[str, CarbonTotal] = {}
    for row in rows.order_by():
        allowed = row["study_site_id"] in remote_allowed_site_ids
        label = (site_labels or {}).get(row["study_site_id"]) or f"Site {row['study_site__site_number']}"
        for line in (
            total,
            sites.setdefault(row["study_site_id"], CarbonTotal(label)),
            cras.setdefault(row["cra__username"] or "—", CarbonTotal(row["cra__username"] or "—")),
        ):
            line.add(row, remote_allowed=allowed)
    return CarbonTotals(
        total=total,
        by_site=sorted(sites.values(), key=lambda t: t.label),
        by_cra=sorted(cras.values(), key=lambda t: t.label),
    )
