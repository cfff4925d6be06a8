"""The token prefix every prompt of a batch shares (the instructions), computed once.

Classification prompts are the same instructions followed by one e-mail: the instructions are
most of the tokens (about 430 of 590 in the compact style). Training and label scoring both run
that prefix once per batch and reuse its key/value cache, which gives the same numbers as
running it for every row, for a fraction of the work.
"""

from __future__ import annotations

from collections.abc import Sequence


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


def decisive_prefixes(sequences: Sequence[Sequence[int]]) -> list[list[int]]:
    """Each sequence cut after its first token that no other sequence shares at that position.

    Under decoding constrained to a set of labels, the tokens after that point are forced
    (probability 1): scoring them costs model calls and changes nothing. Labels such as
    "Demande de service/Backup #BCS/Restauration qualifiée" are 20 tokens or more, and they
    part ways within the first few, so this removes most of the scoring work. A sequence that
    is a prefix of another one is kept whole (its end is where they part).
    """
    cut: list[list[int]] = []
    for index, seq in enumerate(sequences):
        others = [other for j, other in enumerate(sequences) if j != index]
        length = len(seq)
        for t in range(1, len(seq) + 1):
            if not any(list(other[:t]) == list(seq[:t]) for other in others):
                length = t
                break
        cut.append(list(seq[:length]))
    return cut
