""" "My work" from the supply app: shipments on their way to a site for its staff to confirm; temperature
excursions awaiting a decision and sites running low on kits for the study's supply managers."""

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext

from trialdesk.core.extensions import WorkItem, WorkSource
from trialdesk.core.roles import SITE_STAFF_ROLES
from trialdesk.core.scoping import is_administrator, role_facts
from trialdesk.sites.models import StudySite
from trialdesk.supply import rules, selectors
from trialdesk.supply.models import KitStatus
from trialdesk.supply.permissions import SUPPLY_STUDY_ROLES

#: A shipment is expected within this many days of leaving; then its confirmation is overdue.
RECEIPT_EXPECTED_DAYS = 5
#: A site with fewer available, unexpired kits than this is low on stock.
LOW_STOCK_KITS = 3


def _site_ids(user) -> list[int]:
    return [site_id for site_id, roles in role_facts(user).site_roles.items() if roles & SITE_STAFF_ROLES]


def _managed_study_ids(user) -> list[int] | None:
    """The studies whose supplies the user manages (None: all, an administrator)."""
    if is_administrator(user):
        return None
    return [
        study_id for study_id, roles in role_facts(user).study_roles.items() if roles & SUPPLY_STUDY_ROLES
    ]


def shipments_to_confirm(user, today) -> list[WorkItem]:
    """Site staff: shipments to their sites not yet confirmed (one query)."""
    rows = selectors.shipments_to_confirm(user).filter(study_site_id__in=_site_ids(user))
    items = []
    for shipment in rows:
        due = shipment.shipped_on + dt.timedelta(days=RECEIPT_EXPECTED_DAYS)
        items.append(
            WorkItem(
                kind="ip_receipts",
                title=gettext("Confirm receipt of %(number)s (%(kits_shipped)s kits) at %(study_site)s")
                % {
                    "number": shipment.number,
                    "kits_shipped": shipment.kits_shipped,
                    "study_site": shipment.study_site,
                },
                due_on=due,
                url=reverse("supply_shipment_receive", kwargs={"shipment_id": shipment.pk}),
                study_code=shipment.study.code,
                overdue=due < today,
            )
        )
    return items


def excursions_to_decide(user, today) -> list[WorkItem]:
    """Supply managers: excursions whose kits stay quarantined until they decide (one query)."""
    studies = _managed_study_ids(user)
    rows = selectors.pending_excursions(user)
    if studies is not None:
        rows = rows.filter(study_id__in=studies)
    return [
        WorkItem(
            kind="ip_excursions",
            title=gettext("Decide on the %(excursion)s (%(temperature_min_c)s–%(temperature_max_c)s °C)")
            % {
                "excursion": excursion,
                "temperature_min_c": excursion.temperature_min_c,
                "temperature_max_c": excursion.temperature_max_c,
            },
            due_on=excursion.detected_on,
            url=reverse("supply_excursion_detail", kwargs={"excursion_id": excursion.pk}),
            study_code=excursion.study.code,
        )
        for excursion in rows
    ]


def low_stock(user, today) -> list[WorkItem]:
    """Supply managers: receiving sites of their studies with fewer than LOW_STOCK_KITS usable kits."""
    studies = _managed_study_ids(user)
    if studies == []:
        return []
    sites = StudySite.objects.visible_to(user).filter(status__in=rules.RECEIVING_SITE_STATUSES)
    if studies is not None:
        sites = sites.filter(study_id__in=studies)
    usable = Q(ip_kits__status=KitStatus.AVAILABLE, ip_kits__lot__expires_on__gte=today)
    with_ip = sites.filter(study__ip_products__isnull=False).values("pk")
    sites = sites.filter(pk__in=with_ip).annotate(usable=Count("ip_kits", filter=usable, distinct=True))
    return [
        WorkItem(
            kind="ip_low_stock",
            title=gettext("%(site)s of %(code)s: %(usable)s usable kit(s) left — plan a shipment")
            % {"site": site, "code": site.study.code, "usable": site.usable},
            due_on=today,
            url=reverse("supply_site", kwargs={"study_site_id": site.pk}),
            study_code=site.study.code,
        )
        for site in sites.select_related("study").filter(usable__lt=LOW_STOCK_KITS)
    ]


SOURCES = (
    WorkSource("ip_receipts", "IP shipments to confirm", shipments_to_confirm, order=60),
    WorkSource("ip_excursions", "Temperature excursions to decide", excursions_to_decide, order=61),
    WorkSource("ip_low_stock", "Sites low on IP", low_stock, order=62),
)
