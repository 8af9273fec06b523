"""Reading spreadsheets and CSV files into typed rows (interop.tabular and interop.xlsx), no database."""

import datetime as dt
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.reference_data import REFERENCE_DATA
from trialdesk.integrations.tests.bulk_factories import csv_bytes, xlsx_bytes
from trialdesk.interop import tabular
from trialdesk.interop.tabular import DATE, INTEGER, NUMBER, TEXT, Column, Problem, TableError
from trialdesk.interop.xlsx import Sheet, read_xlsx, write_workbook

COLUMNS = (
    Column("code", "Code", TEXT, required=True),
    Column("opened_on", "Opened on", DATE),
    Column("target", "Target", INTEGER),
    Column("ratio", "Ratio", NUMBER),
    Column("note", "Note", TEXT),
)


def typed(table, columns=COLUMNS):
    match = tabular.match_columns(table, columns)
    assert match.problems == ()
    return tabular.typed_rows(table, columns, match)


# Converting one cell: what a person types (or Excel stores) → what the column expects.
CONVERSIONS = [
    ("  101 ", TEXT, "101"),
    (101, TEXT, "101"),
    (101.0, TEXT, "101"),
    ("", TEXT, None),
    (None, DATE, None),
    ("2025-03-31", DATE, dt.date(2025, 3, 31)),
    (dt.datetime(2025, 3, 31), DATE, dt.date(2025, 3, 31)),
    (dt.date(2025, 3, 31), DATE, dt.date(2025, 3, 31)),
    ("12", INTEGER, 12),
    (12.0, INTEGER, 12),
    ("-3", INTEGER, -3),
    ("1.5", NUMBER, 1.5),
]
REFUSALS = [
    (dt.datetime(2025, 1, 2), TEXT, "the cell holds a date (2025-01-02) where text is expected"),
    ("31/03/2025", DATE, "'31/03/2025' is not a date; use a date cell or YYYY-MM-DD"),
    ("2025-02-30", DATE, "'2025-02-30' is not a date in the calendar"),
    (45000, DATE, "'45000' is a number, not a date"),
    (dt.datetime(2025, 1, 2, 9, 30), DATE, "2025-01-02 09:30:00 has a time of day"),
    ("twelve", INTEGER, "'twelve' is not a whole number"),
    (12.5, INTEGER, "'12.5' is not a whole number"),
    (True, INTEGER, "'True' is not a whole number"),
    ("abc", NUMBER, "'abc' is not a number"),
    ("nan", NUMBER, "'nan' is not a number"),
]


@pytest.mark.parametrize(("cell", "kind", "expected"), CONVERSIONS)
def test_convert(cell, kind, expected):
    assert tabular.convert(cell, kind) == expected


@pytest.mark.parametrize(("cell", "kind", "message"), REFUSALS)
def test_convert_refuses_with_a_message(cell, kind, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        tabular.convert(cell, kind)


@pytest.mark.parametrize(
    ("header", "delimiter"),
    [("a,b,c", ","), ("a;b;c", ";"), ("name", ","), ("a;b,c;d", ";"), ('"x;y",b,c', ",")],
)
def test_sniff_delimiter(header, delimiter):
    assert tabular.sniff_delimiter(header + "\n1,2,3\n") == delimiter


def test_headers_match_by_key_or_label_whatever_the_case_and_spacing():
    table = tabular.read_csv(b"CODE , opened_on,Target,Unknown\nX,,,\n", "f.csv")
    match = tabular.match_columns(table, COLUMNS)
    assert match.positions == {"code": 0, "opened_on": 1, "target": 2}
    assert match.ignored == ("Unknown",)


def test_a_column_given_twice_is_a_problem():
    table = tabular.read_csv(b"Code,code\nX,Y\n", "f.csv")
    assert tabular.match_columns(table, COLUMNS).problems == (
        Problem("the column Code appears twice", row=1, column="code"),
    )


def test_rows_keep_their_spreadsheet_numbers_past_empty_rows():
    content = xlsx_bytes((None,), ("Code", "Target"), ("A", 1), (None, None), ("B", 2))
    table = read_xlsx(content, "f.xlsx")
    assert [(r.number, r.cells) for r in table.rows] == [(3, ("A", 1)), (5, ("B", 2))]


def test_csv_that_is_not_utf8_names_its_line():
    with pytest.raises(TableError, match=r"^f.csv line 2: the file is not UTF-8 text"):
        tabular.read_csv("Code\nMünchen\n".encode("latin-1"), "f.csv")


def test_a_file_with_too_many_rows_is_refused(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_ROWS", 3)
    with pytest.raises(TableError, match="more than 3 rows"):
        tabular.read_csv(b"Code\n" + b"x\n" * 4, "f.csv")


def test_a_workbook_that_unpacks_to_too_much_is_refused_before_it_is_parsed(monkeypatch):
    from trialdesk.interop import xlsx

    monkeypatch.setattr(xlsx, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(TableError, match="the workbook unpacks to 0 MB, more than 0 MB"):
        read_xlsx(xlsx_bytes(("Code",), ("x" * 5000,)), "bomb.xlsx")


def test_an_empty_file_and_an_unknown_suffix_are_refused():
    with pytest.raises(TableError, match="the file is empty"):
        tabular.read_csv(b"\n\n", "f.csv")
    with pytest.raises(TableError, match="upload an Excel workbook"):
        tabular.read_table(b"x", "f.ods")


def test_problems_read_as_file_row_and_column():
    assert (
        Problem("bad", row=4, column="Site number").located("s.xlsx")
        == "s.xlsx row 4, column Site number: bad"
    )
    assert Problem("bad", column="Code").located("s.xlsx") == "s.xlsx column Code: bad"
    assert Problem("bad").located("s.csv") == "s.csv: bad"


def test_the_real_ctcae_workbook_reads_like_its_published_csv_conversion():
    """tests/data/ctcae: NCI's CTCAE v5.0 workbook and its 1:1 CSV conversion (837 terms)."""
    columns = (Column("meddra_code", "MedDRA Code", INTEGER), Column("ctcae_term", "CTCAE Term", TEXT))
    workbook = read_xlsx((REFERENCE_DATA / "ctcae/CTCAE_v5.0_2017-11-27.xlsx").read_bytes(), "ctcae.xlsx")
    converted = tabular.read_csv((REFERENCE_DATA / "ctcae/ctcae_v5.0_terms.csv").read_bytes(), "ctcae.csv")
    from_workbook = [r.values for r in typed(workbook, columns)]
    from_csv = [r.values for r in typed(converted, columns)]
    assert len(from_workbook) == 837
    assert from_workbook == from_csv


# Round trips: what an export writes, an import reads back unchanged --------------------------------

PRINTABLE = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\x85"),
    max_size=30,
).map(str.strip)
ROW = st.fixed_dictionaries(
    {
        "code": st.text(alphabet=string.ascii_letters + string.digits + "-=+ ", min_size=1, max_size=12)
        .map(str.strip)
        .filter(bool),
        "opened_on": st.none() | st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2200, 12, 31)),
        "target": st.none() | st.integers(min_value=-(10**12), max_value=10**12),
        # Excel keeps 15 significant digits; exports hold counts and rates, not full doubles.
        "ratio": st.none() | st.integers(min_value=-(10**9), max_value=10**9).map(lambda n: n / 1000),
        "note": st.none() | PRINTABLE.map(lambda s: s or None),
    }
)


def expected(rows):
    return [{**row, "ratio": None if row["ratio"] is None else float(row["ratio"])} for row in rows]


@given(st.lists(ROW, min_size=1, max_size=8))
def test_xlsx_round_trip_gives_back_the_same_rows(rows):
    content = write_workbook([Sheet("Data", COLUMNS, rows)])
    table = read_xlsx(content, "f.xlsx")
    assert [r.values for r in typed(table)] == expected(rows)
    assert [r.number for r in typed(table)] == list(range(2, len(rows) + 2))


@given(st.lists(ROW, min_size=1, max_size=8))
def test_csv_round_trip_gives_back_the_same_rows(rows):
    content = csv_bytes(tabular.write_csv(COLUMNS, rows), bom=True)
    table = tabular.read_csv(content, "f.csv")
    got = [r.values for r in typed(table)]
    # CSV holds text: a float comes back as the number its shortest repr names.
    assert got == expected(rows)
