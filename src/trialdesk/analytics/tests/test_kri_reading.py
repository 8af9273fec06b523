"""The numpy CSV reader and the sort-free grouping agree with the csv module and with np.unique."""

import csv
import io
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialdesk.analytics.kri import GroupCodes, score_groups, sum_by_group
from trialdesk.analytics.kri.groups import factorise_code_units
from trialdesk.analytics.kri.reading import read_analytics_columns

REQUIRED = ("GroupID", "GroupLevel", "Numerator", "Denominator")
FAST = settings(max_examples=40, deadline=None)

group_names = st.text(alphabet="AS019-_éZ€", min_size=1, max_size=5)
numbers = st.one_of(
    st.integers(0, 10**6).map(str),
    st.decimals(0, 10**5, places=3, allow_nan=False).map(str),
    st.floats(0, 1e9, allow_nan=False).map(repr),
    st.sampled_from(["-0.5", "1e3", "2.", ".25", "+4", " 7", "1_000", "0012.50", "123456789012345678"]),
)


def csv_module_columns(text: str) -> tuple[list, list, list, list]:
    """What the line reader makes of a file: (group ids, numerators, denominators, line numbers)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    index = [header.index(column) for column in REQUIRED]
    groups, numerators, denominators, lines = [], [], [], []
    for record in reader:
        if record:
            groups.append(record[index[0]])
            numerators.append(float(record[index[2]]))
            denominators.append(float(record[index[3]]))
            lines.append(reader.line_num)
    return groups, numerators, denominators, lines


@FAST
@given(
    st.lists(st.tuples(group_names, numbers, numbers), min_size=1, max_size=30),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)
def test_numpy_reader_reads_what_the_csv_module_reads(rows, newline, blank_line):
    lines = ["SubjectID,GroupID,GroupLevel,Numerator,Denominator"]
    lines += [f"P{i},{group},Site,{n},{d}" for i, (group, n, d) in enumerate(rows)]
    if blank_line:
        lines.insert(len(lines) // 2 + 1, "")
    text = newline.join(lines) + newline

    columns = read_analytics_columns(text.encode("utf-8"), REQUIRED)

    groups, numerators, denominators, line_numbers = csv_module_columns(text)
    assert columns is not None
    assert columns.group_ids.names[columns.group_ids.codes].tolist() == groups
    assert columns.group_ids.names.tolist() == sorted(set(groups))
    assert columns.numerator.tolist() == numerators  # exactly, as float() rounds
    assert columns.denominator.tolist() == denominators
    assert columns.line_numbers.tolist() == line_numbers


@pytest.mark.parametrize(
    "body",
    [
        'P1,"S1",Site,1,2\n',  # quoted: the csv module's business
        "P1,S1,Site,1\n",  # too few fields
        "P1,S1,Site,1,2,3\nP2,S1,Site,1\n",  # as many commas in all, not per line
        "P1,,Site,1,2\n",  # empty group
        "P1,S1,Site,1,2\nP2,S2,Country,1,2\n",  # two levels
        "P1,S1,Site,one,2\n",  # not a number
        "P1,S1,Site,,2\n",  # empty number
        "P1,S1,Site,1,2\r",  # a lone carriage return
        "",  # no rows
    ],
)
def test_numpy_reader_leaves_to_the_line_reader_what_it_must_name_or_quote(body):
    data = ("SubjectID,GroupID,GroupLevel,Numerator,Denominator\n" + body).encode()

    assert read_analytics_columns(data, REQUIRED) is None


def test_numpy_reader_refuses_invalid_utf8_and_a_missing_column():
    header = b"GroupID,GroupLevel,Numerator,Denominator\n"
    assert read_analytics_columns(header + b"S\xff,Site,1,2\n", REQUIRED) is None
    assert read_analytics_columns(b"GroupID,Numerator,Denominator\nS1,1,2\n", REQUIRED) is None


@FAST
@given(st.lists(st.text(alphabet="ab\u00e9\u20ac\U0001f600 ", max_size=4), min_size=1, max_size=40))
def test_factorising_by_counting_sorts_as_np_unique(texts):
    ids = np.array(texts)
    if ids.dtype.itemsize == 0:
        return
    factorised = factorise_code_units(ids.view(np.uint32).reshape(len(ids), -1))

    names, inverse = np.unique(ids, return_inverse=True)
    assert factorised is not None
    codes, rows = factorised
    assert rows.view(ids.dtype).ravel().tolist() == names.tolist()
    assert codes.tolist() == inverse.ravel().tolist()


def test_factorising_gives_up_when_the_key_space_is_too_large():
    ids = np.array([f"{i:05d}{i * 7919 % 99991:05d}" for i in range(300)])

    assert factorise_code_units(ids.view(np.uint32).reshape(len(ids), -1)) is None
    assert sum_by_group(ids, np.ones(300), np.ones(300)).group_ids.tolist() == sorted(ids.tolist())


@FAST
@given(
    st.lists(
        st.tuples(st.integers(-3, 3) | st.integers(10**9, 10**9 + 2), st.integers(0, 5), st.integers(0, 5)),
        min_size=1,
        max_size=30,
    )
)
def test_integer_ids_are_summed_as_their_own_keys(rows):
    totals = sum_by_group(np.array([r[0] for r in rows]), [r[1] for r in rows], [r[2] for r in rows])

    expected = defaultdict(lambda: [0, 0])
    for group, n, d in rows:
        expected[group][0] += n
        expected[group][1] += d
    assert totals.group_ids.tolist() == sorted(g for g, (_, d) in expected.items() if d > 0)
    assert totals.excluded_group_ids.tolist() == sorted(g for g, (_, d) in expected.items() if d == 0)
    assert totals.numerator.tolist() == [expected[g][0] for g in totals.group_ids]


def test_codes_strings_and_integers_score_the_same():
    rng = np.random.default_rng(3)
    sites = rng.integers(0, 50, 2000)
    numerator, denominator = rng.poisson(3.0, 2000), rng.integers(1, 100, 2000)
    names = np.array([f"S{i:03d}" for i in range(50)])

    by_codes = score_groups(GroupCodes(sites, names), numerator, denominator)
    by_text = score_groups(names[sites], numerator, denominator)
    by_number = score_groups(sites, numerator, denominator)

    assert by_codes.group_ids.tolist() == by_text.group_ids.tolist() == names.tolist()
    assert by_number.group_ids.tolist() == list(range(50))
    np.testing.assert_array_equal(by_codes.score, by_text.score)
    np.testing.assert_array_equal(by_codes.score, by_number.score)
