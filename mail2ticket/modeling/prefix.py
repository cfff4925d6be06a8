"""The token prefix every prompt of a batch shares (the instructions), computed once.

Classification prompts are the same instructions followed by one e-mail: the instructions are
most of the tokens (about 430 of 590 in the compact style). Training and label scoring both run
that prefix once per batch and reuse its key/value cache, which gives the same numbers as
running it for every row, for a fraction of the work.
"""

from __future__ import annotations

from collections.abc import Sequence

#: Shortest shared prompt prefix worth running once for all the rows (and caching), in tokens.
MIN_SHARED_PREFIX = 16


def common_prefix_length(sequences: Sequence[Sequence[int]], keep: int = 1) -> int:
    """Length of the longest prefix all ``sequences`` share, leaving each at least ``keep`` tokens."""
    if not sequences:
        return 0
    length = min(len(ids) for ids in sequences) - keep
    first = sequences[0]
    for ids in sequences[1:]:
        common = 0
        while common < length and ids[common] == first[common]:
            common += 1
        length = common
    return max(length, 0)


__all__ = ["MIN_SHARED_PREFIX", "common_prefix_length"]
