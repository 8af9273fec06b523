"""Validating ODM documents against the bundled ODM 1.3.2 XML schema (see reference/README.md)."""

from functools import cache
from pathlib import Path

from lxml import etree

from trialdesk.interop.odm.safe import parse_bytes

SCHEMA_FILE = Path(__file__).parent / "reference" / "odm1-3-2" / "ODM1-3-2.xsd"


@cache
def odm_schema() -> etree.XMLSchema:
    # The schema's imports are local files beside it; the network is never asked.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(SCHEMA_FILE), parser=parser))


def schema_problems(document: bytes | etree._Element) -> list[str]:
    """Every way `document` breaks the ODM 1.3.2 schema, one line each (line number and message)."""
    root = parse_bytes(document) if isinstance(document, bytes) else document
    schema = odm_schema()
    if schema.validate(root):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]
