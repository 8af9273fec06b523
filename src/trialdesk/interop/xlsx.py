"""Excel workbooks (.xlsx, openpyxl) read into Tables, and typed sheets written for templates and exports.

Reading uses openpyxl's read-only mode (rows streamed, formulas as their cached values), so a large
workbook is not held in memory as cell objects. Writing gives every sheet a bold, frozen header row, an
auto-filter over its data, column widths fitted to the content, dates as dates and numbers as numbers,
and every text through the one formula guard (`tabular.neutralise_formula`) and stored as text.
"""

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from trialdesk.interop.tabular import (
    DATE,
    INTEGER,
    MAX_COLUMNS,
    MAX_ROWS,
    TEXT,
    Column,
    Table,
    TableError,
    neutralise_formula,
    table_from_rows,
)

# Sheets a template adds beside its data sheet; a reader skips them when looking for the data.
INSTRUCTIONS_SHEET = "Instructions"
LISTS_SHEET = "Lists"
HELPER_SHEETS = frozenset({INSTRUCTIONS_SHEET, LISTS_SHEET})
NUMBER_FORMATS = {DATE: "yyyy-mm-dd", INTEGER: "0", TEXT: "@"}
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
MAX_WIDTH = 60
# An .xlsx of 20,000 rows unpacks to a few tens of MB; far more means a zip bomb, not a spreadsheet.
MAX_UNPACKED_BYTES = 200 * 2**20
# Rows of a template that are formatted ahead (text columns as Text, so Excel keeps "01-02" as typed).
TEMPLATE_ROWS = 500


def read_xlsx(content: bytes, filename: str) -> Table:
    """The first sheet of the workbook that is not an Instructions or Lists sheet."""
    _refuse_zip_bomb(content, filename)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise TableError(f"{filename}: this is not an Excel workbook (.xlsx) that can be read") from None
    try:
        sheet = next((s for s in workbook.worksheets if s.title not in HELPER_SHEETS), None)
        if sheet is None:
            raise TableError(f"{filename}: the workbook has no sheet with data")
        # Stored dimensions are often wrong in files written by other tools; read what is there.
        sheet.reset_dimensions()
        return table_from_rows(filename, _numbered_rows(sheet, filename))
    finally:
        workbook.close()


def _refuse_zip_bomb(content: bytes, filename: str) -> None:
    """An .xlsx is a zip archive: a small upload may unpack to gigabytes, so that size is checked first."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise TableError(f"{filename}: this is not an Excel workbook (.xlsx) that can be read") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise TableError(
            f"{filename}: the workbook unpacks to {unpacked / 2**20:,.0f} MB, more than "
            f"{MAX_UNPACKED_BYTES / 2**20:,.0f} MB; split it and import each part"
        )


def _numbered_rows(sheet, filename: str) -> Iterable[tuple[int, tuple]]:
    """(row number, values) of the non-empty rows; openpyxl pads skipped rows and cells with None."""
    counted = 0
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if all(v is None for v in values):
            continue
        counted += 1
        if counted > MAX_ROWS + 1:
            raise TableError(f"{filename}: more than {MAX_ROWS:,} rows; split the file and import each part")
        yield number, values[:MAX_COLUMNS]


@dataclass(frozen=True)
class Sheet:
    """A sheet to write: its title, its columns and rows of values by column key."""

    title: str
    columns: Sequence[Column]
    rows: Sequence[dict] = ()
    drop_downs: bool = False  # offer each column's choices as a list (templates)
    instructions: Sequence[str] = field(default=())


def write_workbook(sheets: Sequence[Sheet], *, title: str = "") -> bytes:
    """An .xlsx workbook of `sheets`; a sheet with instructions gets an Instructions sheet after it."""
    workbook = Workbook()
    workbook.properties.title = title or None
    workbook.remove(workbook.active)
    for sheet in sheets:
        _write_sheet(workbook, sheet)
    for sheet in sheets:
        if sheet.instructions:
            _write_instructions(workbook, sheet)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _write_sheet(workbook: Workbook, sheet: Sheet) -> None:
    # Excel refuses these characters in a sheet's name, and names longer than 31 characters.
    worksheet = workbook.create_sheet(re.sub(r"[\[\]:*?/\\]", "-", sheet.title)[:31])
    worksheet.append([c.label for c in sheet.columns])
    for cell in worksheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="top")
    for values in sheet.rows:
        worksheet.append([_cell_value(values.get(c.key)) for c in sheet.columns])
    for index, column in enumerate(sheet.columns, start=1):
        _format_column(worksheet, index, column, sheet)
    last = max(worksheet.max_row, 1)
    worksheet.freeze_panes = "A2"
    worksheet.auto_filter.ref = f"A1:{get_column_letter(len(sheet.columns))}{last}"
    if sheet.drop_downs:
        _add_drop_downs(workbook, worksheet, sheet)


def _cell_value(value: object) -> object:
    if isinstance(value, str):
        # Characters XML cannot hold would make the whole file unreadable; they carry no meaning here.
        return neutralise_formula(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def _format_column(worksheet, index: int, column: Column, sheet: Sheet) -> None:
    letter = get_column_letter(index)
    number_format = column.number_format or NUMBER_FORMATS.get(column.kind)
    last = worksheet.max_row if not sheet.drop_downs else max(worksheet.max_row, TEMPLATE_ROWS)
    widest = len(column.label) + 3  # room for the filter button
    for row in range(2, last + 1):
        cell = worksheet.cell(row=row, column=index)
        if isinstance(cell.value, str):
            # A text starting with '=' is data, not a formula: never let an export run it in Excel.
            cell.data_type = "s"
        if number_format and (cell.value is not None or sheet.drop_downs):
            cell.number_format = number_format
        if cell.value is not None:
            widest = max(widest, _shown_width(cell.value))
    worksheet.column_dimensions[letter].width = column.width or min(widest + 2, MAX_WIDTH)


def _shown_width(value: object) -> int:
    if isinstance(value, (dt.date, dt.datetime)):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def _add_drop_downs(workbook: Workbook, worksheet, sheet: Sheet) -> None:
    """Choices live on a hidden Lists sheet: an inline list is limited to 255 characters."""
    choice_columns = [(i, c) for i, c in enumerate(sheet.columns, start=1) if c.choices]
    if not choice_columns:
        return
    if LISTS_SHEET in workbook.sheetnames:
        lists = workbook[LISTS_SHEET]
    else:
        lists = workbook.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    for index, column in choice_columns:
        list_column = lists.max_column + 1 if lists.max_row > 1 or lists["A1"].value else 1
        letter = get_column_letter(list_column)
        lists.cell(row=1, column=list_column, value=column.label)
        for offset, choice in enumerate(column.choices, start=2):
            lists.cell(row=offset, column=list_column, value=choice).data_type = "s"
        validation = DataValidation(
            type="list",
            formula1=f"{LISTS_SHEET}!${letter}$2:${letter}${len(column.choices) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=column.label,
            error=f"Choose one of the listed values for {column.label}.",
        )
        target = get_column_letter(index)
        validation.add(f"{target}2:{target}{max(worksheet.max_row, TEMPLATE_ROWS)}")
        worksheet.add_data_validation(validation)


def _write_instructions(workbook: Workbook, sheet: Sheet) -> None:
    worksheet = workbook.create_sheet(INSTRUCTIONS_SHEET, index=len(workbook.sheetnames))
    worksheet.column_dimensions["A"].width = 28
    worksheet.column_dimensions["B"].width = 14
    worksheet.column_dimensions["C"].width = 100
    for line in sheet.instructions:
        worksheet.append([line])
    worksheet.append([])
    worksheet.append(["Column", "Required", "What to put in it"])
    for cell in worksheet[worksheet.max_row]:
        cell.font = Font(bold=True)
    for column in sheet.columns:
        worksheet.append([column.label, "yes" if column.required else "", column.help])
    for row in worksheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
