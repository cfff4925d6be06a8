"""Which examples training draws, and in what order: shuffled, grouped by length, optionally class-balanced."""

from __future__ import annotations

import random
from collections.abc import Sequence


def epoch_order(
    n: int,
    batch_size: int,
    rng: random.Random,
    lengths: Sequence[int] | None = None,
    megabatch: int = 16,
    classes: Sequence[str] | None = None,
) -> list[int]:
    """A shuffled order of ``n`` examples; with ``lengths``, consecutive batches hold similar lengths.

    With ``classes`` (one per example), the epoch is class-balanced instead: every class
    appears as often as the largest one, smaller classes cycling through their examples.

    Rows are padded to the longest of their batch: on CPU, a random batch of e-mails wastes
    about half its positions on padding. As in transformers' ``group_by_length``, the shuffled
    order is cut into mega-batches of ``megabatch`` batches, each sorted by length, and the
    batches are then shuffled, so the data stays random at the scale of the run.
    """
    order = balanced_indices(classes, rng) if classes is not None else list(range(n))
    rng.shuffle(order)
    if lengths is None:
        return order
    n = len(order)
    size = batch_size * megabatch
    batches: list[list[int]] = []
    for start in range(0, n, size):
        chunk = sorted(order[start : start + size], key=lambda i: lengths[i], reverse=True)
        batches.extend(_distinct_batches(chunk, batch_size))
    rng.shuffle(batches)
    return [i for batch in batches for i in batch]


def _distinct_batches(ordered: Sequence[int], batch_size: int) -> list[list[int]]:
    """Consecutive batches of ``ordered`` in which no example occurs twice where it can be avoided.

    A balanced epoch repeats the small classes' examples, and copies of an e-mail have the same
    length: cut from a length-sorted list, they would share a batch (measured on the demo corpus:
    batches of 8 held 4 to 8 distinct e-mails), and such a batch pulls the model towards one
    class. A copy already in the batch being filled waits for the next one, whose lengths are
    the closest.
    """
    pending = list(ordered)
    batches: list[list[int]] = []
    while pending:
        batch = list(dict.fromkeys(pending))[:batch_size]
        if len(batch) < batch_size:  # the end of the list holds too few distinct examples
            batch = pending[:batch_size]
        for index in batch:
            pending.remove(index)
        batches.append(batch)
    return batches


def _members(classes: Sequence[str]) -> dict[str, list[int]]:
    """Each class's indices, in order."""
    members: dict[str, list[int]] = {}
    for index, name in enumerate(classes):
        members.setdefault(name, []).append(index)
    return members


def balanced_indices(classes: Sequence[str], rng: random.Random) -> list[int]:
    """Indices in which every class occurs as often as the most frequent one (unshuffled)."""
    members = _members(classes)
    largest = max((len(group) for group in members.values()), default=0)
    order: list[int] = []
    for group in members.values():
        rng.shuffle(group)
        order.extend(group[i % len(group)] for i in range(largest))
    return order


def evenly_across(classes: Sequence[str], limit: int | None) -> list[int]:
    """Indices of at most ``limit`` examples, taken in turn from each class (all of them when ``limit`` is None).

    A corpus shaped like the service desk's mail holds a Supervision alert for every Bastion
    request: its first 300 tickets teach a field of a small category from a handful of
    examples. Taken in turn, a small class keeps all it has while the large ones are cut.
    Each class keeps its examples' order, and the result follows the corpus's order.
    """
    if limit is None or limit >= len(classes):
        return list(range(len(classes)))
    groups = list(_members(classes).values())
    taken: list[int] = []
    depth = 0
    while len(taken) < limit:
        taken += [group[depth] for group in groups if depth < len(group)][: limit - len(taken)]
        depth += 1
    return sorted(taken)


__all__ = ["balanced_indices", "epoch_order", "evenly_across"]
