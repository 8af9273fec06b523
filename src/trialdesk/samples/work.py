""" "My work" from the samples app: shipments the laboratory has not yet confirmed and permits ending within
60 days (the study's CRM and supply manager), samples waiting to ship (the site's coordinators and
investigators). Each source is one or two queries whatever the number of studies."""

import datetime as dt

from django.db.models import Count, Min
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from trialdesk.core.extensions import WorkItem, WorkSource
from trialdesk.core.roles import SITE_STAFF_ROLES, Role
from trialdesk.core.scoping import role_facts
from trialdesk.samples import rules
from trialdesk.samples.models import Permit, Sample, Shipment, ShipmentStatus

MANAGERS = frozenset({Role.CRM, Role.SUPPLY_MANAGER})


def _managed_studies(user) -> list[int]:
    return [study_id for study_id, roles in role_facts(user).study_roles.items() if roles & MANAGERS]


def _staffed_sites(user) -> list[int]:
    return [site_id for site_id, roles in role_facts(user).site_roles.items() if roles & SITE_STAFF_ROLES]


def shipments_awaiting_receipt(user, today) -> list[WorkItem]:
    shipments = (
        Shipment.objects.visible_to(user)
        .filter(study_id__in=_managed_studies(user), status=ShipmentStatus.IN_TRANSIT)
        .select_related("study", "laboratory")
        .order_by("shipped_at")
    )
    items = []
    for shipment in shipments:
        due_on = shipment.shipped_at.date() + dt.timedelta(days=rules.RECEIPT_EXPECTED_DAYS)
        items.append(
            WorkItem(
                kind="sample_receipts",
                title=gettext("Confirm the receipt of %(number)s at %(name)s")
                % {"number": shipment.number, "name": shipment.laboratory.name},
                due_on=due_on,
                url=reverse("samples_shipment_receipt", kwargs={"sample_shipment_id": shipment.pk}),
                study_code=shipment.study.code,
                overdue=due_on < today,
            )
        )
    return items


def permits_expiring(user, today) -> list[WorkItem]:
    permits = (
        Permit.objects.visible_to(user)
        .filter(
            study_id__in=_managed_studies(user),
            valid_until__gte=today,
            valid_until__lte=today + dt.timedelta(days=rules.PERMIT_RENEWAL_DAYS),
        )
        .select_related("study")
        .order_by("valid_until")
    )
    return [
        WorkItem(
            kind="sample_permits",
            title=gettext(
                "Renew %(value)s permit %(number)s (%(from_country)s → "
                "%(to_country)s, %(authority)s), ends %(valid_until)s"
            )
            % {
                "value": permit.get_direction_display().lower(),
                "number": permit.number,
                "from_country": permit.from_country,
                "to_country": permit.to_country,
                "authority": permit.authority,
                "valid_until": permit.valid_until,
            },
            due_on=permit.valid_until,
            url=reverse("samples_permit_edit", kwargs={"sample_permit_id": permit.pk}),
            study_code=permit.study.code,
        )
        for permit in permits
    ]


def samples_waiting(user, today) -> list[WorkItem]:
    """One item per site of the person's with samples not yet shipped, due SHIP_WITHIN_DAYS after the
    oldest was collected (Trialdesk's policy)."""
    rows = (
        Sample.objects.visible_to(user)
        .filter(study_site_id__in=_staffed_sites(user), shipment_item__isnull=True)
        .values("study_site_id", "study_site__site_number", "study__code")
        .annotate(count=Count("id"), oldest=Min("collected_at"))
        .order_by("oldest")
    )
    items = []
    for row in rows:
        due_on = row["oldest"].date() + dt.timedelta(days=rules.SHIP_WITHIN_DAYS)
        items.append(
            WorkItem(
                kind="samples_waiting",
                title=ngettext(
                    "Ship %(count)s sample waiting at site %(site)s",
                    "Ship %(count)s samples waiting at site %(site)s",
                    row["count"],
                )
                % {"count": row["count"], "site": row["study_site__site_number"]},
                due_on=due_on,
                url=reverse("samples_ship", kwargs={"study_site_id": row["study_site_id"]}),
                study_code=row["study__code"],
                overdue=due_on < today,
            )
        )
    return items


RECEIPTS = WorkSource("sample_receipts", "Sample shipments awaiting receipt", shipments_awaiting_receipt, 60)
PERMITS = WorkSource("sample_permits", "Sample permits ending within 60 days", permits_expiring, 61)
WAITING = WorkSource("samples_waiting", "Samples waiting to ship", samples_waiting, 62)
