"""Reading gsm's analytics-input CSV into columns with whole-array numpy operations.

The file is taken as one byte array: line ends and commas are found with ``np.flatnonzero``, each
needed field is gathered column by column, decimal numbers are parsed by place value (exactly as
``float`` rounds them), and the group ids are factorised while they are gathered, by counting
(:func:`trialdesk.analytics.kri.groups.factorise_code_units`), without a sort of the rows.

Only plain files take this path: no quotes, NUL bytes or lone carriage returns, every non-blank line
with the header's number of fields, valid UTF-8. Anything else (and any bad field: an empty group, a
second group level, a number that is no number) returns None, and the caller reads the file with the
``csv`` module, line by line, to name the line at fault. So the fast path never decides an error.
"""

from dataclasses import dataclass

import numpy as np

from trialdesk.analytics.kri.groups import GroupCodes, factorise_code_units

NEWLINE, COMMA, QUOTE, CARRIAGE_RETURN, DOT, MINUS = 10, 44, 34, 13, 46, 45
#: Fields longer than this are left to the line reader (the gathered matrix is rows × width).
MAX_FIELD_BYTES = 64
#: Plain decimals of up to 15 digits are exact integers over a power of ten (Clinger's fast path).
MAX_DECIMAL_DIGITS = 15
#: 10**k for k = 0..15 as float literals: each is exact, so mantissa / 10**k is rounded once, as float().
POWERS_OF_TEN = np.array([float(f"1e{k}") for k in range(MAX_DECIMAL_DIGITS + 3)])
INTEGER_POWERS_OF_TEN = 10 ** np.arange(MAX_DECIMAL_DIGITS + 3, dtype=np.int64)


@dataclass(frozen=True, eq=False)
class AnalyticsColumns:
    """The columns scoring needs; ``line_numbers[i]`` is row i's line in the file (the header is 1)."""

    group_ids: GroupCodes
    numerator: np.ndarray
    denominator: np.ndarray
    line_numbers: np.ndarray


def read_analytics_columns(data: bytes, required: tuple[str, str, str, str]) -> AnalyticsColumns | None:
    """GroupID, GroupLevel, Numerator and Denominator (named by ``required``, in that order) of a CSV.

    Returns None where the file needs the ``csv`` module: then it may be fine (quoted fields, odd
    numbers) or bad, and the line reader says which line. The group level is checked to be one value.

    Examples
    --------
    >>> columns = read_analytics_columns(
    ...     b"SubjectID,GroupID,GroupLevel,Numerator,Denominator\\r\\n"
    ...     b"P1,S2,Site,1,10.5\\r\\nP2,S1,Site,2,20\\r\\n\\r\\nP3,S2,Site,-0.25,1e3\\r\\n",
    ...     ("GroupID", "GroupLevel", "Numerator", "Denominator"),
    ... )
    >>> columns.group_ids.names.tolist(), columns.group_ids.codes.tolist()
    (['S1', 'S2'], [1, 0, 1])
    >>> columns.numerator.tolist(), columns.denominator.tolist(), columns.line_numbers.tolist()
    ([1.0, 2.0, -0.25], [10.5, 20.0, 1000.0], [2, 3, 5])
    >>> read_analytics_columns(b'GroupID,GroupLevel,Numerator,Denominator\\n"S1",Site,1,2\\n',
    ...                        ("GroupID", "GroupLevel", "Numerator", "Denominator")) is None
    True
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
    header_end = data.find(b"\n")
    if header_end < 0 or not _plain(data):
        return None
    header = data[:header_end].decode("ascii", errors="replace").split(",")
    if any(column not in header for column in required):
        return None
    body = np.frombuffer(data, dtype=np.uint8)[header_end + 1 :]
    if len(body) and body[-1] != NEWLINE:
        body = np.concatenate([body, np.array([NEWLINE], np.uint8)])
    fields = _field_bounds(body, len(header))
    if fields is None:
        return None
    starts, ends, lines = fields
    group, level, numerator, denominator = (header.index(column) for column in required)
    group_ids = _factorised(body, starts[group], ends[group])
    if group_ids is None or not _one_value(body, starts[level], ends[level]):
        return None
    numbers = [_numbers(body, starts[column], ends[column]) for column in (numerator, denominator)]
    if numbers[0] is None or numbers[1] is None:
        return None
    return AnalyticsColumns(group_ids, numbers[0], numbers[1], lines + 2)


def _plain(data: bytes) -> bool:
    """No quoting, NUL or lone carriage return (the csv module's business), and valid UTF-8."""
    if b'"' in data or b"\x00" in data or b"\r" in data:
        return False
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return False
    return True


def _field_bounds(body: np.ndarray, width: int):
    """Start and end offsets (width, n) of every field of the non-blank lines, and their line indices.

    None unless every non-blank line has exactly ``width`` fields.
    """
    line_ends = np.flatnonzero(body == NEWLINE)
    line_starts = np.concatenate([[0], line_ends[:-1] + 1])
    filled = line_ends > line_starts
    lines = np.flatnonzero(filled)
    if len(lines) == 0:
        return None
    if len(lines) < len(line_ends):
        line_starts, line_ends = line_starts[filled], line_ends[filled]
    commas = np.flatnonzero(body == COMMA)
    if len(commas) != (width - 1) * len(lines):
        return None
    commas = commas.reshape(len(lines), width - 1)
    # As many commas as needed in all: each line has its own unless one line has too many, which
    # leaves some line's commas outside it.
    if width > 1 and not (np.all(commas[:, 0] > line_starts - 1) and np.all(commas[:, -1] < line_ends)):
        return None
    starts = np.concatenate([line_starts[None, :], commas.T + 1])
    ends = np.concatenate([commas.T, line_ends[None, :]])
    return starts, ends, lines


def _gathered(body: np.ndarray, starts: np.ndarray, lengths: np.ndarray, width: int) -> np.ndarray:
    """Each field's bytes left-aligned in a (n, width) matrix, padded with zeros."""
    matrix = np.zeros((len(starts), width), dtype=np.uint8)
    last = len(body) - 1
    for position in range(width):
        inside = lengths > position
        matrix[:, position] = np.where(inside, body[np.minimum(starts + position, last)], 0)
    return matrix


def _factorised(body: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> GroupCodes | None:
    lengths = ends - starts
    width = int(lengths.max())
    if lengths.min() == 0 or width > MAX_FIELD_BYTES:
        return None  # an empty GroupID is named by the line reader
    matrix = _gathered(body, starts, lengths, width)
    factorised = factorise_code_units(matrix)
    if factorised is None:
        texts = matrix.view(f"S{width}").reshape(-1)
        names, codes = np.unique(texts, return_inverse=True)
        codes = codes.reshape(-1)
    else:
        codes, rows = factorised
        names = rows.view(f"S{width}").reshape(-1)
    return GroupCodes(codes, np.char.decode(names, "utf-8"))


def _one_value(body: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> bool:
    lengths = ends - starts
    width = int(lengths[0])
    if np.any(lengths != width):
        return False
    for position in range(width):
        if np.any(body[starts + position] != body[starts[0] + position]):
            return False
    return True


def _numbers(body: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray | None:
    """Floats of one column: plain decimals by place value, the rest (1e3, nan, +4 …) by numpy.

    The bytes are read from the right, one position per pass over the rows; a position left of a field
    reads the separator before it (a comma or line end: no digit). A plain decimal is an optional
    leading minus, digits and at most one dot, with 1 to 15 digits: its digits make an exact integer,
    and that integer over an exact power of ten is rounded once, as ``float`` rounds the text.
    """
    lengths = ends - starts
    width = min(int(lengths.max()), MAX_DECIMAL_DIGITS + 2)
    rows = len(starts)
    before = starts - 1  # the separator left of each field (body[-1], the last line end, for the first)
    position = ends.copy()
    mantissa = np.zeros(rows, dtype=np.int64)
    digits = np.zeros(rows, dtype=np.intp)  # digits read so far, from the right
    decimals = np.zeros(rows, dtype=np.intp)
    dots = np.zeros(rows, dtype=np.uint8)
    valid = np.zeros(rows, dtype=np.intp)
    at = np.empty(rows, dtype=np.intp)
    for _ in range(width):
        position -= 1
        np.maximum(position, before, out=at)
        value = body[at] - np.uint8(48)  # a digit's value; other bytes wrap to 10 or more
        digit = value < 10
        dot = value == np.uint8((DOT - 48) % 256)  # 254 after the wrap
        value *= digit
        mantissa += value * INTEGER_POWERS_OF_TEN[digits]
        digits += digit
        np.copyto(decimals, digits, where=dot)
        dots += dot
        valid += digit
        valid += dot
    negative = body[starts] == MINUS
    plain = (valid == lengths - negative) & (dots <= 1) & (digits > 0) & (digits <= MAX_DECIMAL_DIGITS)
    values = mantissa / POWERS_OF_TEN[decimals]
    np.negative(values, out=values, where=negative)
    odd = np.flatnonzero(~plain)
    if len(odd):
        texts = [body[starts[i] : ends[i]].tobytes().decode("utf-8") for i in odd]
        try:
            values[odd] = np.array(texts, dtype=np.float64)
        except ValueError:
            return None
    return values
