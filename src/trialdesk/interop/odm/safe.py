"""Parsing untrusted ODM files: no DTDs, no entities, no network, bounded size and depth."""

import os
import re
from pathlib import Path

from lxml import etree

# Real EDC exports of a whole study run to tens of megabytes; far beyond that is refused unread.
MAX_BYTES = 200 * 1024 * 1024
# A DOCTYPE can declare entities (billion laughs, external files): refused before lxml sees the document.
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
# Enough of the head to find a DOCTYPE, which must precede the root element.
_PROLOG_BYTES = 64 * 1024


class OdmInputError(Exception):
    """A file that cannot be read as ODM; `where` is an XPath or a line when one is known."""

    def __init__(self, message: str, where: str | None = None):
        super().__init__(f"{where}: {message}" if where else message)
        self.message = message
        self.where = where


# What every parse of an untrusted file is told, by etree.XMLParser and etree.iterparse alike.
PARSER_OPTIONS = dict(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(**PARSER_OPTIONS)


def checked_size(path: Path, max_bytes: int) -> None:
    """OdmInputError unless the file can be read and is at most `max_bytes`."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise OdmInputError(f"Cannot read the file: {error.strerror}.") from error
    if size > max_bytes:
        raise OdmInputError(f"The file is {size:,} bytes; the limit is {max_bytes:,} bytes.")


def refuse_doctype(head: bytes) -> None:
    """OdmInputError when the head of a file (its first _PROLOG_BYTES) declares a DOCTYPE or entity."""
    _refuse_doctype(head[:_PROLOG_BYTES])


def syntax_error(error: etree.XMLSyntaxError) -> OdmInputError:
    line = f"line {error.lineno}" if getattr(error, "lineno", None) else None
    return OdmInputError(f"This is not well-formed XML: {error.msg}", line)


def _refuse_doctype(head: bytes) -> None:
    if _DOCTYPE.search(head):
        raise OdmInputError(
            "The file has a DOCTYPE or entity declaration; ODM files never need one and it is refused "
            "(external entities could read local files).",
            "line 1",
        )


def parse_bytes(data: bytes, *, max_bytes: int = MAX_BYTES) -> etree._Element:
    """The root element of an ODM document given as bytes; OdmInputError if it is unsafe or not XML."""
    if len(data) > max_bytes:
        raise OdmInputError(f"The file is {len(data):,} bytes; the limit is {max_bytes:,} bytes.")
    _refuse_doctype(data[:_PROLOG_BYTES])
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as error:
        line = f"line {error.lineno}" if getattr(error, "lineno", None) else None
        raise OdmInputError(f"This is not well-formed XML: {error.msg}", line) from error
    if root.getroottree().docinfo.doctype:
        raise OdmInputError("The file has a DOCTYPE declaration; it is refused.", "line 1")
    return root


def parse_file(path: str | os.PathLike, *, max_bytes: int = MAX_BYTES) -> etree._Element:
    """As parse_bytes, but the size is checked on disk before a byte is read."""
    path = Path(path)
    checked_size(path, max_bytes)
    return parse_bytes(path.read_bytes(), max_bytes=max_bytes)
