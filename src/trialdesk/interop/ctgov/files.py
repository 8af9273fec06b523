"""Reading ClinicalTrials.gov files: .json or .json.gz documents holding one record, a page or a list."""

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

from trialdesk.interop.ctgov.model import DocumentError, RecordSource

# A file is read whole into memory; the registry's own pages are a few megabytes.
MAX_FILE_BYTES = 200 * 2**20


# Reading files ----------------------------------------------------------------------------------------


def read_document(path: Path):
    """The JSON value of a .json or .json.gz file; DocumentError says why it cannot be read."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise DocumentError(f"cannot be read: {error}") from error
    if size > MAX_FILE_BYTES:
        raise DocumentError(
            f"{size / 2**20:.0f} MB is over the {MAX_FILE_BYTES // 2**20} MB limit; split it into pages"
        )
    try:
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as handle:
            return json.load(handle)
    except json.JSONDecodeError as error:
        raise DocumentError(
            f"not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from error
    except (OSError, UnicodeDecodeError, EOFError) as error:
        raise DocumentError(f"cannot be read: {error}") from error


def records_in(document, *, file: str = "") -> Iterator[tuple[RecordSource, object]]:
    """Each study record in a document: one record, a page `{"studies": [...]}`, or a list of records."""
    if isinstance(document, dict) and "studies" in document and "protocolSection" not in document:
        studies = document["studies"]
        if not isinstance(studies, list):
            raise DocumentError("$.studies: expected a list of study records")
        for index, record in enumerate(studies):
            yield RecordSource(file, f"$.studies[{index}]"), record
    elif isinstance(document, list):
        for index, record in enumerate(document):
            yield RecordSource(file, f"$[{index}]"), record
    elif isinstance(document, dict):
        yield RecordSource(file, "$"), document
    else:
        raise DocumentError("$: expected a study record, a list of records or a page with 'studies'")


def files_in(paths: list[Path]) -> Iterator[Path]:
    """The files named, and the .json/.json.gz files inside the directories named, in a stable order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and _is_json_name(p.name))
        else:
            yield path


def _is_json_name(name: str) -> bool:
    return name.endswith(".json") or name.endswith(".json.gz")
