"""Document files on disk: written atomically under their SHA-256, checked against it whenever read.

Files live under `settings.DATA_DIR / "documents"`, as `<first two hex digits>/<sha256>`: a file's name is
its content's hash, so the same content filed twice is stored once, and an altered file no longer
matches its name. A file is first written to a temporary file in the same folder tree, then moved into
place with `os.replace` (atomic on one file system), so a crash never leaves a half-written document.
"""

import hashlib
import os
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from trialdesk.documents.rules import file_types

CHUNK = 1024 * 1024
HEAD_BYTES = 8192


def root() -> Path:
    return Path(settings.DATA_DIR) / "documents"


def max_bytes() -> int:
    """The largest file accepted, in bytes (setting DOCUMENT_MAX_BYTES, from TRIALDESK_DOCUMENT_MAX_BYTES)."""
    return int(settings.DOCUMENT_MAX_BYTES)


def path_of(sha256: str) -> Path:
    return root() / sha256[:2] / sha256


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    media_type: str
    created: bool  # False when the same content was already on disk


class FileProblem(Exception):
    """A stored file is missing or no longer matches its checksum; it must not be served."""

    def __init__(self, message: str, *, missing: bool):
        super().__init__(message)
        self.missing = missing


def too_large_message() -> str:
    return f"The file is larger than the limit of {_human(max_bytes())}."


def _human(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size} bytes"


def store(chunks: Iterable[bytes], *, filename: str, field: str = "file") -> StoredFile:
    """Write the content to disk under its SHA-256; refuse a file too large or of a disallowed type.

    On refusal nothing stays on disk; the error names `field`.
    """
    limit = max_bytes()
    kind = file_types.FILE_TYPES.get(file_types.extension(filename))
    if kind is None:
        raise ValidationError({field: file_types.file_type_problem(filename, b"")})
    folder = root() / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=folder, prefix="upload-")
    temp = Path(temp_name)
    try:
        digest, size = _write(handle, chunks, filename=filename, limit=limit, field=field)
        if kind.zip_member and not _zip_holds(temp, kind.zip_member):
            raise ValidationError(
                {
                    field: gettext("The file is not a valid %(value)s file.")
                    % {"value": file_types.extension(filename)[1:].upper()}
                }
            )
        target = path_of(digest)
        created = not target.exists()
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp, target)
        return StoredFile(sha256=digest, size=size, media_type=kind.media_type, created=created)
    finally:
        temp.unlink(missing_ok=True)


def _write(handle: int, chunks: Iterable[bytes], *, filename: str, limit: int, field: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    head = b""
    with os.fdopen(handle, "wb") as out:
        for chunk in chunks:
            if not chunk:
                continue
            if len(head) < HEAD_BYTES:
                head += chunk[: HEAD_BYTES - len(head)]
            size += len(chunk)
            if size > limit:
                raise ValidationError({field: too_large_message()})
            digest.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    if problem := file_types.file_type_problem(filename, head):
        raise ValidationError({field: problem})
    return digest.hexdigest(), size


def _zip_holds(path: Path, folder: str) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        return False
    return "[Content_Types].xml" in names and any(name.startswith(folder) for name in names)


def discard(sha256: str) -> None:
    """Remove a file written for an upload that was then refused (only if nothing refers to it)."""
    path_of(sha256).unlink(missing_ok=True)


def problem_of(sha256: str, size: int) -> str:
    """What is wrong with a stored file ('' when it is present and matches its checksum)."""
    path = path_of(sha256)
    if not path.is_file():
        return "missing from storage"
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    if digest.hexdigest() != sha256 or path.stat().st_size != size:
        return "altered: its checksum no longer matches"
    return ""


def verified_copy(sha256: str, size: int) -> BinaryIO:
    """An open, rewound copy of the file, made while its checksum was re-computed.

    Serving the copy, not the stored file, means what is sent is exactly what was checked, even if the
    stored file changed a moment later. FileProblem when the file is missing or altered. The copy is an
    anonymous temporary file: it disappears when closed.
    """
    path = path_of(sha256)
    if not path.is_file():
        raise FileProblem("The document's file is missing from storage.", missing=True)
    digest = hashlib.sha256()
    copy = tempfile.TemporaryFile()
    try:
        with path.open("rb") as source:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                copy.write(chunk)
        if digest.hexdigest() != sha256 or copy.tell() != size:
            raise FileProblem(
                "The document's file has been altered: its checksum no longer matches.", missing=False
            )
    except BaseException:
        copy.close()
        raise
    copy.seek(0)
    return copy
