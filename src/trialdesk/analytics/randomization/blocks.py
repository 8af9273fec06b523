"""Stratified permuted-block randomization lists, with block sizes drawn at random among several."""

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from trialdesk.analytics.randomization.design import (
    Factor,
    RandomizationInputError,
    check_arms,
    check_block_sizes,
    check_factors,
    check_ratio,
    is_whole_number,
    stratum_labels,
)

# A list longer than this is a mistake on the command line (a factor with thousands of levels), not a
# trial: refusing it beats filling the memory.
MAX_ROWS = 10_000_000


@dataclass(frozen=True)
class Allocation:
    """One slot of a randomization list: the ``sequence``-th participant of ``stratum`` gets ``arm``.

    ``sequence`` and ``block`` count from 1 within the stratum; ``block_size`` is the size of the
    block the slot belongs to.
    """

    stratum: str
    sequence: int
    block: int
    block_size: int
    arm: str

    def as_dict(self) -> dict:
        return asdict(self)


def permuted_block_list(
    *,
    arms: Sequence[str],
    block_sizes: Sequence[int],
    per_stratum: int,
    rng: np.random.Generator,
    ratio: Sequence[int] | None = None,
    strata: Sequence[Factor] = (),
) -> list[Allocation]:
    """A stratified permuted-block randomization list.

    Each stratum (a combination of one level of every factor in ``strata``) gets its own list of
    consecutive blocks. A block's size is drawn with equal probability among ``block_sizes``; it
    holds each arm in proportion to ``ratio`` (a block of 6 at 2:1 holds four of the first arm and
    two of the second) in a uniformly random order. Blocks are added until the stratum has at least
    ``per_stratum`` slots, so every stratum's list ends on a complete block and may be longer than
    ``per_stratum``. Varying the block size keeps the end of a block, where the last arm could be
    deduced, from being known in advance (Schulz & Grimes, Lancet 2002;359:515).

    Parameters
    ----------
    arms : sequence of str
        Arm names, at least two.
    block_sizes : sequence of int
        Allowed block sizes, each a multiple of the sum of ``ratio``.
    per_stratum : int
        Slots each stratum needs at least.
    rng : numpy.random.Generator
        The source of randomness; the same seed gives the same list.
    ratio : sequence of int, optional
        Allocation ratio, one whole number per arm (default equal allocation).
    strata : sequence of Factor, optional
        Stratification factors; the strata are the cross product of their levels, in the order
        given, the last factor varying fastest. Without factors there is one stratum, ``all``.

    Returns
    -------
    list of Allocation
        The slots, stratum by stratum, in sequence order.

    Examples
    --------
    >>> rows = permuted_block_list(arms=["A", "B"], ratio=[2, 1], block_sizes=[3, 6], per_stratum=5,
    ...                            strata=[Factor("sex", ("M", "F"))], rng=np.random.default_rng(7))
    >>> sorted({row.stratum for row in rows})
    ['sex=F', 'sex=M']
    >>> men = [row.arm for row in rows if row.stratum == "sex=M"]
    >>> len(men) in (6, 9), men.count("A") == 2 * men.count("B")
    (True, True)
    """
    arms = check_arms(arms)
    ratio = check_ratio(ratio, len(arms))
    sizes = check_block_sizes(block_sizes, ratio)
    labels = stratum_labels(check_factors(strata, field="strata"))
    if not is_whole_number(per_stratum) or per_stratum < 1:
        raise RandomizationInputError(
            "per_stratum", f"must be a whole number of at least 1, not {per_stratum}."
        )
    if len(labels) * (per_stratum + max(sizes)) > MAX_ROWS:
        raise RandomizationInputError(
            "per_stratum", f"{len(labels)} strata of {per_stratum} would exceed {MAX_ROWS:,} slots."
        )
    # One block's arms before shuffling, for each allowed size: arm i repeated size/sum × ratio[i] times.
    unshuffled = [np.repeat(np.arange(len(arms)), np.array(ratio) * (size // sum(ratio))) for size in sizes]
    allocations = []
    for label in labels:
        allocations.extend(_stratum_list(label, arms, sizes, unshuffled, int(per_stratum), rng))
    return allocations


def _stratum_list(
    label: str,
    arms: tuple[str, ...],
    sizes: tuple[int, ...],
    unshuffled: list[np.ndarray],
    per_stratum: int,
    rng: np.random.Generator,
) -> list[Allocation]:
    allocations: list[Allocation] = []
    block = 0
    while len(allocations) < per_stratum:
        block += 1
        # Drawn even when only one size is allowed, so that the list depends on the seed alone.
        which = int(rng.integers(len(sizes)))
        start = len(allocations)
        allocations.extend(
            Allocation(label, start + offset + 1, block, sizes[which], arms[arm])
            for offset, arm in enumerate(rng.permutation(unshuffled[which]))
        )
    return allocations
