"""The work done in a study that may earn a fee, read from the apps below (visits, subjects, sites, the
audit trail for the day a site closed) and from finance's own procedure records and approved invoices."""

import datetime as dt
from collections import defaultdict

from trialdesk.core.models import AuditEvent
from trialdesk.finance.models import InvoiceStatus, ProcedureRecord, SiteInvoice
from trialdesk.finance.rules.earnings import (
    CLOSEOUT,
    INVOICE,
    PROCEDURE,
    SCREEN_FAILURE,
    STARTUP,
    VISIT,
    WorkDone,
)
from trialdesk.sites.models import StudySite
from trialdesk.sites.rules import FINAL_STATUSES
from trialdesk.subjects.models import ScreeningEntry
from trialdesk.subjects.models.screening import ScreeningOutcome
from trialdesk.visits.models import ScheduledVisit, VisitStatus

# The visit code an unscheduled visit is paid under, when the fee schedule prices one.
UNSCHEDULED = "UNSCHEDULED"


def work_done(study, site_ids: list[int] | None = None) -> dict[int, list[WorkDone]]:
    """{study site id: [WorkDone, …]} for every site of the study (or those of `site_ids`), in a fixed
    number of queries."""
    found: dict[int, list[WorkDone]] = defaultdict(list)

    def at(rows, path="study_site_id"):
        return rows if site_ids is None else rows.filter(**{f"{path}__in": site_ids})

    visits = (
        at(
            ScheduledVisit.objects.filter(
                participant__study=study, status=VisitStatus.DONE, done_on__isnull=False
            ),
            "participant__study_site_id",
        )
        .values_list("pk", "participant__study_site_id", "participant__number", "definition__code", "done_on")
        .order_by("done_on", "pk")
    )
    for pk, site_id, number, code, done_on in visits.iterator(chunk_size=5000):
        found[site_id].append(WorkDone(VISIT, done_on, code or UNSCHEDULED, number, f"visit:{pk}"))
    procedures = (
        at(ProcedureRecord.objects.filter(study=study))
        .order_by("done_on", "pk")
        .values_list("pk", "study_site_id", "participant__number", "code", "done_on")
    )
    for pk, site_id, number, code, done_on in procedures:
        found[site_id].append(WorkDone(PROCEDURE, done_on, code, number, f"procedure:{pk}"))
    # In the order screened: the screen-failure cap pays the first ones.
    failed = at(ScreeningEntry.objects.filter(study=study, outcome=ScreeningOutcome.FAILED))
    failures = failed.order_by("screened_on", "pk").values_list(
        "pk", "study_site_id", "screening_number", "screened_on"
    )
    for pk, site_id, number, screened_on in failures:
        found[site_id].append(WorkDone(SCREEN_FAILURE, screened_on, None, number, f"screening:{pk}"))
    approved = at(SiteInvoice.objects.filter(study=study, status=InvoiceStatus.APPROVED))
    invoices = approved.order_by("invoice_on", "pk").values_list(
        "pk", "study_site_id", "item_code", "invoice_on", "amount"
    )
    for pk, site_id, code, invoice_on, amount in invoices:
        found[site_id].append(WorkDone(INVOICE, invoice_on, code, None, f"invoice:{pk}", amount))
    sites = list(at(StudySite.objects.filter(study=study), "pk").select_related("institution"))
    closed_on = closing_days([s for s in sites if s.status in FINAL_STATUSES])
    for site in sites:
        if site.activated_on:
            found[site.pk].append(WorkDone(STARTUP, site.activated_on, None, None, f"site:{site.pk}:startup"))
        if site.pk in closed_on:
            found[site.pk].append(
                WorkDone(CLOSEOUT, closed_on[site.pk], None, None, f"site:{site.pk}:closeout")
            )
    return found


def closing_days(sites: list[StudySite]) -> dict[int, dt.date]:
    """The local day each closed (or terminated) site last moved to its final status, from its audit events
    (the site record keeps no closing date of its own)."""
    if not sites:
        return {}
    by_id = {str(site.pk): site for site in sites}
    events = (
        AuditEvent.objects.filter(object_type="sites.studysite", object_id__in=list(by_id))
        .order_by("id")
        .values_list("object_id", "occurred_at", "changes")
    )
    found = {}
    for object_id, occurred_at, changes in events:
        status = (changes or {}).get("status")
        if isinstance(status, list) and len(status) == 2 and status[1] in FINAL_STATUSES:
            site = by_id[object_id]
            found[site.pk] = occurred_at.astimezone(site.zone).date()
    return found
