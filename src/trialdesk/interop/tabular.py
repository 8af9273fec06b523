"""Rows of a spreadsheet or CSV file with their row numbers, typed column by column (no database).

A file is read into a `Table` (header texts and raw rows, numbered as a spreadsheet numbers them: the
header is row 1 of a file that starts with it). `match_columns` finds the expected columns among the
headers (by key or label, case and spacing ignored) and `typed_rows` turns each cell into the value its
column expects — text, date, whole number or number — or a `Problem` naming the row and column.
Excel's habit of turning "01-02" into a date is caught here: a date in a text column is a problem.

Every CSV and Excel file Trialdesk writes goes through `write_csv` / `write_csv_to` here or
`interop.xlsx.write_workbook`, and every text cell through `neutralise_formula`, the one spreadsheet
formula guard (OWASP, CSV injection): a text starting with =, +, -, @, a tab or a carriage return gets a
leading apostrophe, so a spreadsheet shows it as text instead of running it. Reading undoes it
(`restore_neutralised`), so a file exported and imported again keeps its values.
"""

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

TEXT, DATE, INTEGER, NUMBER = "text", "date", "integer", "number"
KINDS = (TEXT, DATE, INTEGER, NUMBER)
# A bulk import is a page of a spreadsheet, not a data warehouse; beyond this it is refused whole.
MAX_ROWS = 20_000
MAX_COLUMNS = 200
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
WHOLE_NUMBER = re.compile(r"^[+-]?\d+$")
# A cell starting with one of these is run as a formula by Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"


class TableError(ValueError):
    """The file as a whole cannot be read (not UTF-8, not an .xlsx workbook, no header row, too big)."""


@dataclass(frozen=True)
class Column:
    """One expected column: its key (what services call it), its header label and the kind of value."""

    key: str
    label: str
    kind: str = TEXT
    required: bool = False  # the column must be present (its cells may still be empty)
    choices: tuple[str, ...] = ()  # offered as a drop-down list in templates
    help: str = ""
    width: int | None = None
    number_format: str = ""  # how a spreadsheet shows the value, e.g. "0%"; by kind when empty


@dataclass(frozen=True)
class Row:
    """One row of the file: its number as the spreadsheet shows it and its cells by header text."""

    number: int
    cells: tuple[object, ...]


@dataclass(frozen=True)
class Table:
    """What a file holds: its name, its header texts, and its non-empty rows."""

    filename: str
    headers: tuple[str, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Problem:
    """Something wrong in the file, at a row and column where there is one."""

    message: str
    row: int | None = None
    column: str | None = None

    def located(self, filename: str) -> str:
        """'sites.xlsx row 4, column Site number: problem', the form every interface reports it in."""
        place = filename
        if self.row is not None:
            place += f" row {self.row}"
        if self.column:
            place += f"{',' if self.row is not None else ''} column {self.column}"
        return f"{place}: {self.message}"


@dataclass(frozen=True)
class ColumnMatch:
    """Which header index holds each expected column, what is missing, and headers nobody asked for."""

    positions: dict[str, int]
    missing: tuple[Column, ...]
    ignored: tuple[str, ...]
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class TypedRow:
    """A row's values by column key (None for an empty cell) and the problems of its cells."""

    number: int
    values: dict[str, object]
    problems: tuple[Problem, ...] = field(default=())


def header_key(text: object) -> str:
    """A header reduced to what matters: 'Site number ', 'site_number' and 'SITE-NUMBER' agree."""
    return re.sub(r"[^0-9a-z]+", "_", str(text or "").casefold()).strip("_")


def match_columns(table: Table, columns: Sequence[Column]) -> ColumnMatch:
    by_name = {}
    for column in columns:
        by_name[header_key(column.key)] = column
        by_name[header_key(column.label)] = column
    positions: dict[str, int] = {}
    ignored, problems = [], []
    for index, header in enumerate(table.headers):
        column = by_name.get(header_key(header))
        if column is None:
            if str(header or "").strip():
                ignored.append(str(header).strip())
        elif column.key in positions:
            problems.append(Problem(f"the column {column.label} appears twice", row=1, column=str(header)))
        else:
            positions[column.key] = index
    missing = tuple(c for c in columns if c.required and c.key not in positions)
    problems.extend(
        Problem(f"the required column {c.label} ({c.key}) is missing from the header row", column=c.label)
        for c in missing
    )
    return ColumnMatch(positions, missing, tuple(ignored), tuple(problems))


def typed_rows(table: Table, columns: Sequence[Column], match: ColumnMatch) -> list[TypedRow]:
    """Every row's cells converted to the kinds of their columns; a cell that cannot be is a Problem."""
    found = []
    for row in table.rows:
        values, problems = {}, []
        for column in columns:
            index = match.positions.get(column.key)
            raw = row.cells[index] if index is not None and index < len(row.cells) else None
            try:
                values[column.key] = convert(raw, column.kind)
            except ValueError as problem:
                values[column.key] = None
                problems.append(Problem(str(problem), row=row.number, column=column.label))
        found.append(TypedRow(row.number, values, tuple(problems)))
    return found


def convert(value: object, kind: str) -> object:
    """`value` as read from a cell, as the `kind` of its column; None for an empty cell."""
    if isinstance(value, str):
        value = restore_neutralised(value).strip()
        if value == "":
            return None
    if value is None:
        return None
    return _CONVERTERS[kind](value)


def _as_text(value: object) -> str:
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        shown = value.date() if isinstance(value, dt.datetime) and not _has_time(value) else value
        raise ValueError(
            f"the cell holds a date ({shown.isoformat()}) where text is expected; "
            "format the column as Text and type the value again"
        )
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _has_time(value: dt.datetime) -> bool:
    return (value.hour, value.minute, value.second, value.microsecond) != (0, 0, 0, 0)


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        if _has_time(value):
            raise ValueError(f"{value.isoformat(sep=' ')} has a time of day; give the date only")
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        if ISO_DATE.match(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"'{value}' is not a date in the calendar") from None
        raise ValueError(f"'{value}' is not a date; use a date cell or YYYY-MM-DD, e.g. 2025-03-31")
    raise ValueError(f"'{value}' is a number, not a date; use a date cell or YYYY-MM-DD")


def _as_integer(value: object) -> int:
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.time)):
        raise ValueError(f"'{_shown(value)}' is not a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, (float, Decimal)) and value == int(value):
        return int(value)
    if isinstance(value, str) and WHOLE_NUMBER.match(value):
        return int(value)
    raise ValueError(f"'{_shown(value)}' is not a whole number")


def _as_number(value: object) -> float | int:
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.time)):
        raise ValueError(f"'{_shown(value)}' is not a number")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, Decimal):
        return float(value)
    try:
        number = float(str(value))
    except ValueError:
        number = float("nan")
    if not math.isfinite(number):
        raise ValueError(f"'{value}' is not a number")
    return number


def _shown(value: object) -> str:
    return value.isoformat() if isinstance(value, (dt.date, dt.time)) else str(value)


_CONVERTERS = {TEXT: _as_text, DATE: _as_date, INTEGER: _as_integer, NUMBER: _as_number}


# CSV -------------------------------------------------------------------------------------------------


def read_csv(content: bytes, filename: str) -> Table:
    """A CSV file in UTF-8 (with or without the BOM Excel writes), separated by ',' or ';'."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise TableError(
            f"{filename} line {line}: the file is not UTF-8 text; save it as 'CSV UTF-8' and upload it again"
        ) from None
    if "\x00" in text:
        raise TableError(f"{filename}: the file holds NUL characters; it is not a CSV text file")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    try:
        records = list(_limited(reader, filename))
    except csv.Error as error:
        raise TableError(f"{filename} line {reader.line_num}: {error}") from None
    return table_from_rows(filename, enumerate(records, start=1))


def sniff_delimiter(text: str) -> str:
    """';' when the header line has more semicolons than commas (Excel in much of Europe), else ','."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    return ";" if header.count(";") > header.count(",") else ","


def _limited(records: Iterable[Sequence], filename: str) -> Iterable[Sequence]:
    for index, record in enumerate(records, start=1):
        if index > MAX_ROWS + 1:
            raise TableError(f"{filename}: more than {MAX_ROWS:,} rows; split the file and import each part")
        yield record


def table_from_rows(filename: str, numbered: Iterable[tuple[int, Sequence]]) -> Table:
    """Numbered rows as a Table: the first non-empty row is the header, later empty rows are skipped."""
    headers: tuple[str, ...] | None = None
    rows = []
    for number, cells in numbered:
        cells = tuple(cells)
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        if headers is None:
            headers = _trimmed_headers(cells, filename)
            continue
        rows.append(Row(number, cells[: max(len(headers), 1)]))
    if headers is None:
        raise TableError(f"{filename}: the file is empty; the first row must name the columns")
    return Table(filename, headers, tuple(rows))


def _trimmed_headers(cells: tuple, filename: str) -> tuple[str, ...]:
    headers = [str(c).strip() if c is not None else "" for c in cells]
    while headers and not headers[-1]:
        headers.pop()
    if len(headers) > MAX_COLUMNS:
        raise TableError(f"{filename}: more than {MAX_COLUMNS} columns in the header row")
    return tuple(headers)


# Writing, with the formula guard ------------------------------------------------------------------------


def neutralise_formula(text: str) -> str:
    """`text` as a spreadsheet cell may hold it: with a leading apostrophe when it starts with a
    character that would make it a formula (FORMULA_STARTS), or with an apostrophe of its own, so that
    `restore_neutralised` gives back exactly `text`."""
    if text.startswith(FORMULA_STARTS) or text.startswith(GUARD):
        return GUARD + text
    return text


def restore_neutralised(text: str) -> str:
    """The value `neutralise_formula` was given: one guarding apostrophe taken off again."""
    if text.startswith(GUARD) and (text[1:].startswith(FORMULA_STARTS) or text[1:].startswith(GUARD)):
        return text[1:]
    return text


def cell_text(value: object) -> str:
    """A value as a CSV cell: empty for None, ISO 8601 for dates and times, numbers as Python writes them
    (a negative number is a number, not a formula), and any text through the formula guard."""
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (bool, int, float, Decimal)):
        return str(value)
    return neutralise_formula(str(value))


def columns_named(*keys: str) -> tuple[Column, ...]:
    """Text columns whose header is their key (machine-readable exports such as the audit trail)."""
    return tuple(Column(key, key) for key in keys)


def write_csv_to(
    handle, columns: Sequence[Column], rows: Iterable[Mapping], *, line_end: str = "\r\n"
) -> int:
    """Write a CSV (',' separated, a header of the column labels, then `rows` by column key) to the text
    `handle`, row by row (an HttpResponse, a file, standard output); returns how many rows."""
    writer = csv.writer(handle, lineterminator=line_end)
    writer.writerow([c.label for c in columns])
    count = 0
    for row in rows:
        writer.writerow([cell_text(row.get(c.key)) for c in columns])
        count += 1
    return count


def write_csv(columns: Sequence[Column], rows: Iterable[Mapping], *, line_end: str = "\r\n") -> str:
    """The CSV text of `rows` (see write_csv_to)."""
    out = io.StringIO(newline="")
    write_csv_to(out, columns, rows, line_end=line_end)
    return out.getvalue()


def read_table(content: bytes, filename: str) -> Table:
    """An .xlsx workbook's first data sheet, or a .csv file, by the file's name."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        return read_csv(content, filename)
    if suffix in (".xlsx", ".xlsm"):
        from trialdesk.interop.xlsx import read_xlsx

        return read_xlsx(content, filename)
    raise TableError(f"{filename}: upload an Excel workbook (.xlsx) or a CSV file (.csv)")
