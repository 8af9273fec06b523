"""The streamed ODM reader (iter_clinical_data) reads what the tree reader reads, and refuses what
parse_file refuses; benchmarks/bench_odm.py shows its memory stays flat as the file grows."""

import pytest

from tests.reference_data import REFERENCE_DATA
from trialdesk.interop.odm import OdmInputError, iter_clinical_data, parse_file, read_clinical_data

ODM_DATA = REFERENCE_DATA / "odm/v1_3_2"


@pytest.mark.parametrize(
    "name",
    [
        "odm-data-snapshot.xml",
        "test_clinical_data_01.xml",
        "cdash-odm-test.xml",
        "MetaData_Dave_1_3_2_extra_languages.xml",
    ],
)
def test_streamed_subjects_equal_the_tree_reader(name):
    assert list(iter_clinical_data(ODM_DATA / name)) == read_clinical_data(parse_file(ODM_DATA / name))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><ODM/>', "DOCTYPE"),
        (b"<ODM><ClinicalData></ODM>", "not well-formed XML"),
        (b"<Other/>", "not an ODM document"),
    ],
)
def test_streamed_reader_refuses_what_parse_file_refuses(tmp_path, content, message):
    path = tmp_path / "bad.xml"
    path.write_bytes(content)
    with pytest.raises(OdmInputError, match=message):
        list(iter_clinical_data(path))
    with pytest.raises(OdmInputError, match=message):
        read_clinical_data(parse_file(path))


def test_streamed_reader_refuses_a_file_over_the_limit(tmp_path):
    path = tmp_path / "big.xml"
    path.write_bytes(b"<ODM>" + b" " * 100 + b"</ODM>")
    with pytest.raises(OdmInputError, match="the limit is 50 bytes"):
        list(iter_clinical_data(path, max_bytes=50))
