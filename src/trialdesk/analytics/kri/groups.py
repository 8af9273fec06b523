"""Checking participant rows and summing them into per-group numerators and denominators.

Summing is ``np.bincount`` over integer keys, never a sort of the rows: integer ids within a compact
range are their own keys, text ids are factorised column by column (:func:`factorise_code_units`), and
ids a reader has already factorised come as :class:`GroupCodes`.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike


class KriInputError(ValueError):
    """Input the KRI methods cannot score; ``field`` names the column and ``index`` the row (0-based)."""

    def __init__(self, message: str, *, field: str, index: int | None = None):
        super().__init__(message)
        self.field = field
        self.index = index


@dataclass(frozen=True, eq=False)
class GroupCodes:
    """Group ids already factorised: row i belongs to ``names[codes[i]]``; ``names`` sorted, each used.

    What a reader hands over when it factorised the ids while reading (see ``kri.reading``), so that
    summing is two ``np.bincount`` calls and nothing else.
    """

    codes: np.ndarray
    names: np.ndarray

    def __len__(self) -> int:
        return len(self.codes)


@dataclass(frozen=True, eq=False)
class GroupTotals:
    """Per-group sums, as gsm's ``Transform_Rate`` makes them, in sorted ``group_ids`` order.

    ``metric`` is numerator / denominator. Groups whose denominator sums to 0 have no metric; gsm
    drops them before analysis ("values of [GroupID] with a [Denominator] value of 0 removed"), and
    so does this: they are listed in ``excluded_group_ids`` and nowhere else.
    """

    group_ids: np.ndarray
    numerator: np.ndarray
    denominator: np.ndarray
    excluded_group_ids: np.ndarray

    @property
    def metric(self) -> np.ndarray:
        return self.numerator / self.denominator


def as_counts(values: ArrayLike, field: str) -> np.ndarray:
    """Float array of one column, refused (naming the first bad row) if not finite or negative."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 1 and len(array) and 0 <= array.min() and array.max() < np.inf:
        return array  # two reductions; NaN fails the first comparison, inf the second
    if array.ndim != 1:
        raise KriInputError(f"{field} must be one value per row", field=field)
    bad = ~np.isfinite(array)
    if bad.any():
        index = int(np.argmax(bad))
        raise KriInputError(f"{field} {array[index]} is not a finite number", field=field, index=index)
    negative = array < 0
    if negative.any():
        index = int(np.argmax(negative))
        raise KriInputError(f"{field} {array[index]:g} is negative", field=field, index=index)
    return array


def check_whole_numbers(values: np.ndarray, field: str, why: str) -> None:
    """Refuse fractional values where a method counts participants or events."""
    fractional = values != np.floor(values)
    if fractional.any():
        index = int(np.argmax(fractional))
        raise KriInputError(
            f"{field} {values[index]:g} is not a whole number ({why})", field=field, index=index
        )


def check_proportions(totals: "GroupTotals") -> None:
    """Refuse a group with more events than participants where the method needs proportions.

    Only at group level, and only for Fisher's exact test: gsm's own sample data has sites with more
    discontinuations than participants, and its normal approximation scores them regardless.
    """
    over = totals.numerator > totals.denominator
    if over.any():
        index = int(np.argmax(over))
        raise KriInputError(
            f"group {totals.group_ids[index]}: Numerator {totals.numerator[index]:g} exceeds "
            f"Denominator {totals.denominator[index]:g}, which a 2x2 table of participants cannot have",
            field="Numerator",
        )


def sum_by_group(
    group_ids: "ArrayLike | GroupCodes", numerator: ArrayLike, denominator: ArrayLike
) -> GroupTotals:
    """Sum participant rows into groups with ``np.bincount``, without sorting the rows.

    Parameters
    ----------
    group_ids : array_like, shape (n_rows,), or GroupCodes
        Group of each row (site, country or study); strings or integers, or codes a reader made.
    numerator, denominator : array_like of float, shape (n_rows,)
        Events and exposure (or participants) of each row; finite and not negative.

    Returns
    -------
    GroupTotals
        Groups in sorted order of their ids, those with a zero denominator set aside.

    Examples
    --------
    >>> totals = sum_by_group(["B", "A", "B", "C"], [1, 2, 3, 0], [10, 20, 30, 0])
    >>> totals.group_ids.tolist(), totals.numerator.tolist(), totals.denominator.tolist()
    (['A', 'B'], [2.0, 4.0], [20.0, 40.0])
    >>> totals.excluded_group_ids.tolist()
    ['C']
    >>> sum_by_group([7, 3, 7], [1, 1, 1], [2, 2, 2]).group_ids.tolist()
    [3, 7]
    """
    ids = group_ids if isinstance(group_ids, GroupCodes) else np.asarray(group_ids)
    numerator = as_counts(numerator, "Numerator")
    denominator = as_counts(denominator, "Denominator")
    if not (len(ids) == len(numerator) == len(denominator)):
        raise KriInputError("GroupID, Numerator and Denominator differ in length", field="GroupID")
    if len(ids) == 0:
        raise KriInputError("there are no rows to score", field="GroupID")
    keys, names, sparse = _group_keys(ids)
    size = len(names)
    numerator_sum = np.bincount(keys, weights=numerator, minlength=size)
    denominator_sum = np.bincount(keys, weights=denominator, minlength=size)
    if sparse:
        # Ids used as keys leave unused keys between them. A key with a row is used; with rows whose
        # denominators are all positive its denominator sum is positive, so only rows with a zero
        # denominator need counting.
        used = denominator_sum > 0
        if denominator.min() == 0:
            used |= np.bincount(keys[denominator == 0], minlength=size) > 0
        names, numerator_sum, denominator_sum = names[used], numerator_sum[used], denominator_sum[used]
    scored = denominator_sum > 0
    if scored.all():
        return GroupTotals(names, numerator_sum, denominator_sum, names[:0])
    return GroupTotals(
        group_ids=names[scored],
        numerator=numerator_sum[scored],
        denominator=denominator_sum[scored],
        excluded_group_ids=names[~scored],
    )


#: A key space of up to this many slots per row (or 65,536 slots for few rows) is summed directly;
#: beyond it the ids are factorised by ``np.unique`` (a sort).
KEY_SLOTS_PER_ROW = 4
MAX_KEY_SLOTS = 1 << 24


def _key_budget(rows: int) -> int:
    return min(max(KEY_SLOTS_PER_ROW * rows, 1 << 16), MAX_KEY_SLOTS)


def _group_keys(ids) -> tuple[np.ndarray, np.ndarray, bool]:
    """Integer key of each row, the id of each key in sorted order, and whether some keys are unused."""
    if isinstance(ids, GroupCodes):
        return ids.codes, ids.names, False
    if ids.ndim != 1:
        raise KriInputError("GroupID must be one value per row", field="GroupID")
    if ids.dtype.kind in "iu" and ids.dtype != np.uint64:  # uint64 does not cast safely to intp
        low, high = int(ids.min()), int(ids.max())
        if high - low < _key_budget(len(ids)):
            # Ids are their own keys, shifted to start at 0 unless they start near it.
            keys = ids if low >= 0 and high < _key_budget(len(ids)) // 2 else ids - low
            offset = 0 if keys is ids else low
            return keys, np.arange(offset, high + 1, dtype=ids.dtype), True
    if ids.dtype == object:
        ids = ids.astype(str)
    if ids.dtype.kind in "US" and ids.dtype.itemsize:
        units = np.uint32 if ids.dtype.kind == "U" else np.uint8
        matrix = np.ascontiguousarray(ids).view(units).reshape(len(ids), -1)
        factorised = factorise_code_units(matrix)
        if factorised is not None:
            codes, unique_rows = factorised
            names = np.ascontiguousarray(unique_rows).view(ids.dtype).reshape(-1)
            return codes, names, False
    names, keys = np.unique(ids, return_inverse=True)
    return keys.reshape(-1), names, False  # numpy 2.0 returned the inverse in the input's shape


def factorise_code_units(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Codes of fixed-width text rows in sorted order of the texts, by counting rather than sorting.

    ``matrix`` (n, w) holds each text's code units (bytes of UTF-8, or UCS-4 code points), padded with
    zeros. Each column's distinct units are found by ``np.bincount`` and ranked; a row's mixed-radix
    number of its column ranks (first column most significant) orders rows as the texts sort, and
    packs them into a key space the size of the product of the columns' distinct counts. Columns with
    one unit add nothing. Returns (codes 0..G−1 per row, the G distinct rows in order), or None when
    that key space is too large to count into (then sort, e.g. ``np.unique``).

    Examples
    --------
    >>> texts = np.array(["S02", "S10", "S02", "S01"])
    >>> codes, rows = factorise_code_units(texts.view(np.uint32).reshape(4, -1))
    >>> codes.tolist(), rows.view(texts.dtype).ravel().tolist()
    ([1, 2, 1, 0], ['S01', 'S02', 'S10'])
    """
    rows, width = matrix.shape
    budget = _key_budget(rows)
    columns, size = [], 1
    for position in range(width):
        units = matrix[:, position]
        present = np.bincount(units) > 0
        distinct = int(np.count_nonzero(present))
        if distinct == 1:
            continue
        size *= distinct
        if size > budget:
            return None
        columns.append((position, np.cumsum(present) - 1, np.flatnonzero(present)))
    keys = np.zeros(rows, dtype=np.int64)
    for position, rank, _ in columns:
        keys *= len(_)
        keys += rank[matrix[:, position]]
    counts = np.bincount(keys, minlength=size)
    used = np.flatnonzero(counts)
    if len(used) == size:
        codes = keys
    else:
        dense = np.full(size, -1, dtype=np.int64)
        dense[used] = np.arange(len(used))
        codes = dense[keys]
    unique_rows = np.repeat(matrix[:1], len(used), axis=0)  # constant columns keep the first row's unit
    remainder = used.copy()
    for position, _, units in reversed(columns):
        remainder, digit = np.divmod(remainder, len(units))
        unique_rows[:, position] = units[digit]
    return codes, unique_rows
