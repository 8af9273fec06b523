"""Spreadsheets for the bulk import tests, written cell by cell as a person would type them."""

import io

from openpyxl import Workbook


def xlsx_bytes(*rows, title: str = "Data") -> bytes:
    """A workbook whose first sheet holds `rows` exactly as given (None leaves a cell empty)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(text: str, *, bom: bool = False) -> bytes:
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


INSTITUTION_HEADER = ("Name", "Department", "City", "Country", "Time zone")
SITE_HEADER = (
    "Site number",
    "Institution",
    "City",
    "Principal investigator",
    "Status",
    "Planned activation",
    "Target enrollment",
)
