"""The file types the TMF accepts, told by their extension and their first bytes."""

import codecs
from dataclasses import dataclass

from django.utils.translation import gettext

# File types --------------------------------------------------------------------------------------------

ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class FileType:
    media_type: str
    magic: tuple[bytes, ...]  # empty: plain text
    zip_member: str = ""  # an Office Open XML file must hold this folder


FILE_TYPES = {
    ".pdf": FileType("application/pdf", (b"%PDF-",)),
    ".png": FileType("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    ".tif": FileType("image/tiff", (b"II*\x00", b"MM\x00*")),
    ".tiff": FileType("image/tiff", (b"II*\x00", b"MM\x00*")),
    ".docx": FileType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (ZIP_MAGIC,), "word/"
    ),
    ".xlsx": FileType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (ZIP_MAGIC,), "xl/"
    ),
    ".txt": FileType("text/plain", ()),
    ".csv": FileType("text/csv", ()),
}


def extension(filename: str) -> str:
    name = (filename or "").strip().lower()
    return name[name.rfind(".") :] if "." in name else ""


def file_type_problem(filename: str, head: bytes) -> str:
    """Why a file of this name starting with `head` may not be filed ('' when it may)."""
    ext = extension(filename)
    kind = FILE_TYPES.get(ext)
    if kind is None:
        allowed = ", ".join(sorted(FILE_TYPES))
        return gettext("Files of type %(value)s are not accepted; allowed: %(allowed)s.") % {
            "value": repr(ext or "(no extension)"),
            "allowed": allowed,
        }
    if not head:
        return gettext("The file is empty.")
    if kind.magic:
        if not any(head.startswith(magic) for magic in kind.magic):
            return gettext("The file's content is not %(ext)s, whatever its name says.") % {
                "ext": ext[1:].upper()
            }
        return ""
    if b"\x00" in head:
        return gettext("A text file may not hold binary content.")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return gettext("A text file must be UTF-8 text.")
    return ""
