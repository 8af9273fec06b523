"""The one spreadsheet-formula guard (OWASP CSV injection) of every CSV and Excel file Trialdesk writes,
and the reader undoing it, so that an export imported again keeps its values."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from trialdesk.interop import tabular
from trialdesk.interop.tabular import FORMULA_STARTS, neutralise_formula, restore_neutralised
from trialdesk.interop.xlsx import Sheet, read_xlsx, write_workbook

GUARDED = [
    # (text, as a spreadsheet cell holds it)
    ("=1+1", "'=1+1"),
    ("+1 555 0100", "'+1 555 0100"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("'quoted", "''quoted"),  # an apostrophe of its own is kept through a round trip
    ("O'Brien = 1", "O'Brien = 1"),
    ("Pneumonitis", "Pneumonitis"),
    ("", ""),
]
texts = st.text(alphabet=st.sampled_from("=+-@\t\r'aZ0 |!"), max_size=8) | st.text(max_size=20)


@pytest.mark.parametrize(("text", "cell"), GUARDED)
def test_guard_table(text, cell):
    assert neutralise_formula(text) == cell
    assert restore_neutralised(cell) == text


@given(texts)
def test_a_guarded_text_never_starts_a_formula_and_comes_back_unchanged(text):
    cell = neutralise_formula(text)
    assert not cell.startswith(FORMULA_STARTS)
    assert restore_neutralised(cell) == text
    assert cell == text or cell == "'" + text


@given(texts)
def test_csv_cells_read_back_as_written(text):
    columns = tabular.columns_named("value")
    content = tabular.write_csv(columns, [{"value": text}]).encode()
    found = tabular.read_csv(content, "x.csv")
    cell = found.rows[0].cells[0] if found.rows else ""
    assert (tabular.convert(cell, tabular.TEXT) or "") == text.strip()


def test_numbers_dates_and_empty_cells_are_not_guarded():
    row = {"n": -5, "x": -0.25, "d": Decimal("-1.5"), "on": dt.date(2025, 1, 2), "none": None, "t": "-x"}
    text = tabular.write_csv(tabular.columns_named(*row), [row])
    assert list(csv.reader(io.StringIO(text)))[1] == ["-5", "-0.25", "-1.5", "2025-01-02", "", "'-x"]


def test_excel_cells_are_guarded_text_and_read_back_unchanged():
    columns = (tabular.Column("name", "Name"), tabular.Column("count", "Count", tabular.INTEGER))
    content = write_workbook([Sheet("Sites", columns, [{"name": '=HYPERLINK("x")', "count": -3}])])
    sheet = load_workbook(io.BytesIO(content))["Sites"]
    assert (sheet["A2"].value, sheet["A2"].data_type) == ('\'=HYPERLINK("x")', "s")
    assert sheet["B2"].value == -3
    table = read_xlsx(content, "sites.xlsx")
    assert tabular.convert(table.rows[0].cells[0], tabular.TEXT) == '=HYPERLINK("x")'
