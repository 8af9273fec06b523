"""Excel exports of the study's IP accountability (per site, and every kit) and of its shipments, through
the shared writer (interop.xlsx, with its formula guard). Kit types appear only for unblinded readers;
participant numbers only for readers of subject-level data."""

from trialdesk.interop import tabular, xlsx
from trialdesk.interop.tabular import DATE, NUMBER, TEXT, Column
from trialdesk.supply.views.display import ACCOUNT_STATES

ACCOUNT_COLUMNS = (
    Column("site_number", "Site"),
    Column("received", "Kits received", tabular.INTEGER),
    Column("in_transit", "In transit", tabular.INTEGER),
    *(Column(state, state.capitalize(), tabular.INTEGER) for state in ACCOUNT_STATES),
    Column("unaccounted", "Unaccounted", tabular.INTEGER),
    Column("reconciled", "Reconciled"),
)
KIT_COLUMNS = (
    Column("number", "Kit"),
    Column("kit_type", "Kit type"),
    Column("lot", "Lot"),
    Column("expires_on", "Expiry", DATE),
    Column("status", "Status"),
    Column("where", "Where"),
    Column("shipment", "Shipment"),
    Column("destruction", "Destroyed on", DATE),
)
SHIPMENT_COLUMNS = (
    Column("number", "Shipment"),
    Column("from", "From"),
    Column("to", "To"),
    Column("participant", "Participant"),
    Column("status", "Status"),
    Column("courier", "Courier"),
    Column("tracking_number", "Tracking number"),
    Column("shipped_on", "Shipped on", DATE),
    Column("kits_shipped", "Kits shipped", tabular.INTEGER),
    Column("received_on", "Received on", DATE),
    Column("kits_received", "Kits received", tabular.INTEGER),
    Column("temperature_min_c", "Lowest °C", NUMBER, number_format="0.0"),
    Column("temperature_max_c", "Highest °C", NUMBER, number_format="0.0"),
    Column("temperature_log_name", "Temperature log", TEXT),
)


def accountability_workbook(accounts: list[dict], kits, *, sees_arms: bool, title: str) -> bytes:
    kit_rows = [
        {
            "number": kit.number,
            "kit_type": kit.kit_type.code if sees_arms else "blinded",
            "lot": kit.lot.number,
            "expires_on": kit.lot.expires_on,
            "status": kit.get_status_display(),
            "where": str(kit.study_site) if kit.study_site_id else str(kit.depot or ""),
            "shipment": kit.shipment.number if kit.shipment_id else "",
            "destruction": kit.destruction.destroyed_on if kit.destruction_id else None,
        }
        for kit in kits
    ]
    accounts = [{**row, "reconciled": "yes" if row["reconciled"] else "no"} for row in accounts]
    return xlsx.write_workbook(
        [xlsx.Sheet("Accountability", ACCOUNT_COLUMNS, accounts), xlsx.Sheet("Kits", KIT_COLUMNS, kit_rows)],
        title=title,
    )


def shipments_workbook(shipments, *, sees_participants: bool, title: str) -> bytes:
    rows = [
        {
            "number": s.number,
            "from": str(s.from_depot or s.from_site),
            "to": "participant's home" if s.direct_to_participant else str(s.study_site),
            "participant": (s.to_participant.number if sees_participants else "hidden")
            if s.to_participant_id
            else "",
            "status": s.get_status_display(),
            "courier": s.courier,
            "tracking_number": s.tracking_number,
            "shipped_on": s.shipped_on,
            "kits_shipped": s.kits_shipped,
            "received_on": s.received_on,
            "kits_received": s.kits_received,
            "temperature_min_c": s.temperature_min_c,
            "temperature_max_c": s.temperature_max_c,
            "temperature_log_name": s.temperature_log_name,
        }
        for s in shipments
    ]
    return xlsx.write_workbook([xlsx.Sheet("Shipments", SHIPMENT_COLUMNS, rows)], title=title)
