"""Safe ODM parsing: DOCTYPEs, entities and oversize files refused before anything is read."""

import pytest

from tests.reference_data import REFERENCE_DATA
from trialdesk.interop.odm import OdmInputError, parse_bytes, parse_file, read_clinical_data

ODM_DATA = REFERENCE_DATA / "odm/v1_3_2"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<ODM>&lol2;</ODM>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE ODM [<!ENTITY x SYSTEM "http://example.org/secret">]><ODM>&x;</ODM>"""
PARAMETER_ENTITY = b"""<!DOCTYPE ODM [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><ODM/>"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY, PARAMETER_ENTITY, b"<!doctype ODM><ODM/>"])
def test_doctype_and_entities_are_refused(data):
    with pytest.raises(OdmInputError, match="DOCTYPE or entity declaration") as error:
        parse_bytes(data)
    assert error.value.where == "line 1"


def test_size_is_checked_before_parsing():
    with pytest.raises(OdmInputError, match="11 bytes; the limit is 10 bytes"):
        parse_bytes(b"<ODM></ODM>", max_bytes=10)


def test_file_size_is_checked_on_disk_before_reading(tmp_path):
    path = tmp_path / "huge.xml"
    with path.open("wb") as handle:
        handle.truncate(500 * 1024 * 1024)
    with pytest.raises(OdmInputError, match="524,288,000 bytes"):
        parse_file(path)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(OdmInputError, match="Cannot read the file"):
        parse_file(tmp_path / "absent.xml")


@pytest.mark.parametrize(
    ("data", "where"),
    [(b"", None), (b"<ODM>", "line 1"), (b"<ODM>\n<a>\n</ODM>", "line 3"), (b"\xff\xfe<", "line 1")],
)
def test_malformed_xml_names_the_line(data, where):
    with pytest.raises(OdmInputError, match="not well-formed XML") as error:
        parse_bytes(data)
    if where:
        assert error.value.where == where


@pytest.mark.parametrize("name", sorted(p.name for p in ODM_DATA.glob("*.xml")))
def test_every_real_odm_file_parses(name):
    root = parse_file(ODM_DATA / name)
    read_clinical_data(root)  # metadata-only files simply have no subjects


def test_an_html_page_is_not_odm():
    with pytest.raises(OdmInputError, match="not an ODM document"):
        read_clinical_data(parse_bytes(b"<html><body/></html>"))
