"""Checking participant rows and summing them into per-group numerators and denominators."""

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


def sum_by_group(group_ids: ArrayLike, numerator: ArrayLike, denominator: ArrayLike) -> GroupTotals:
    """Sum participant rows into groups with one sort (``np.unique``) and two ``np.bincount`` calls.

    Parameters
    ----------
    group_ids : array_like, shape (n_rows,)
        Group of each row (site, country or study); strings or integers.
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
    """
    ids = np.asarray(group_ids)
    if ids.dtype == object:
        # Sorting fixed-width strings is several times faster than sorting Python objects.
        ids = ids.astype(str)
    numerator = as_counts(numerator, "Numerator")
    denominator = as_counts(denominator, "Denominator")
    if not (len(ids) == len(numerator) == len(denominator)):
        raise KriInputError("GroupID, Numerator and Denominator differ in length", field="GroupID")
    if len(ids) == 0:
        raise KriInputError("there are no rows to score", field="GroupID")
    unique_ids, group_of_row = np.unique(ids, return_inverse=True)
    group_of_row = group_of_row.reshape(-1)  # numpy 2.0 returned the inverse in the input's shape
    size = len(unique_ids)
    numerator_sum = np.bincount(group_of_row, weights=numerator, minlength=size)
    denominator_sum = np.bincount(group_of_row, weights=denominator, minlength=size)
    scored = denominator_sum > 0
    return GroupTotals(
        group_ids=unique_ids[scored],
        numerator=numerator_sum[scored],
        denominator=denominator_sum[scored],
        excluded_group_ids=unique_ids[~scored],
    )
