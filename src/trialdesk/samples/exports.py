"""The samples workbook: shipments, the reconciliation per site and, for readers of participants'
samples, the discrepant samples (through the shared writer interop.xlsx, with its formula guard)."""

from trialdesk.interop import tabular, xlsx
from trialdesk.interop.tabular import Column

SHIPMENT_COLUMNS = (
    Column("number", "Shipment"),
    Column("site", "Site"),
    Column("laboratory", "Laboratory"),
    Column("route", "Route"),
    Column("shipped_at", "Shipped at (UTC)"),
    Column("courier", "Courier"),
    Column("tracking_number", "Tracking number"),
    Column("export_permit", "Export permit"),
    Column("import_permit", "Import permit"),
    Column("samples", "Samples", tabular.INTEGER),
    Column("received", "Received", tabular.INTEGER),
    Column("status", "Status"),
    Column("received_at", "Received at (UTC)"),
    Column("receipt_condition", "Condition on receipt"),
)
RECONCILIATION_COLUMNS = (
    Column("site", "Site"),
    Column("country", "Country"),
    Column("collected", "Collected", tabular.INTEGER),
    Column("waiting", "Waiting to ship", tabular.INTEGER),
    Column("shipped", "Shipped", tabular.INTEGER),
    Column("in_transit", "In transit", tabular.INTEGER),
    Column("received", "Received", tabular.INTEGER),
    Column("discrepancies", "Discrepancies", tabular.INTEGER),
)
DISCREPANCY_COLUMNS = (
    Column("site", "Site"),
    Column("barcode", "Sample"),
    Column("participant", "Participant"),
    Column("shipment", "Shipment"),
    Column("what", "Discrepancy"),
)


def _utc(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


def shipment_row(shipment) -> dict:
    return {
        "number": shipment.number,
        "site": shipment.study_site.site_number,
        "laboratory": shipment.laboratory.name,
        "route": f"{shipment.study_site.institution.country} → {shipment.laboratory.country}",
        "shipped_at": _utc(shipment.shipped_at),
        "courier": shipment.courier,
        "tracking_number": shipment.tracking_number,
        "export_permit": shipment.export_permit.number if shipment.export_permit_id else "",
        "import_permit": shipment.import_permit.number if shipment.import_permit_id else "",
        "samples": shipment.sample_count,
        "received": shipment.received_count if shipment.is_received else None,
        "status": shipment.get_status_display(),
        "received_at": _utc(shipment.received_at),
        "receipt_condition": shipment.receipt_condition,
    }


def samples_workbook(*, shipments, reconciliation, title: str) -> bytes:
    reconciled = [
        {
            "site": row.study_site.site_number,
            "country": row.study_site.institution.country,
            "collected": row.counts.collected,
            "waiting": row.counts.waiting,
            "shipped": row.counts.shipped,
            "in_transit": row.counts.in_transit,
            "received": row.counts.received,
            "discrepancies": len(row.counts.discrepancies),
        }
        for row in reconciliation.rows
    ]
    sheets = [
        xlsx.Sheet("Shipments", SHIPMENT_COLUMNS, [shipment_row(s) for s in shipments]),
        xlsx.Sheet("Reconciliation", RECONCILIATION_COLUMNS, reconciled),
    ]
    if not reconciliation.subject_hidden:
        discrepancies = [
            {
                "site": row.study_site.site_number,
                "barcode": d.barcode,
                "participant": d.participant_number,
                "shipment": d.shipment_number,
                "what": d.label,
            }
            for row in reconciliation.rows
            for d in row.discrepancies
        ]
        sheets.append(xlsx.Sheet("Discrepancies", DISCREPANCY_COLUMNS, discrepancies))
    return xlsx.write_workbook(sheets, title=title)
