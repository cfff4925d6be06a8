"""Which examples training draws and in what order: grouped by length, class-balanced, evenly across classes."""

from __future__ import annotations

import random
from collections import Counter

from mail2ticket.training.sampling import epoch_order, evenly_across


def test_epoch_order_groups_similar_lengths_and_stays_a_permutation() -> None:
    import random

    lengths = [random.Random(i).randint(50, 600) for i in range(400)]

    def padding(order: list[int]) -> int:
        batches = [order[i : i + 8] for i in range(0, len(order), 8)]
        return sum(max(lengths[j] for j in b) * len(b) - sum(lengths[j] for j in b) for b in batches)

    grouped = epoch_order(400, 8, random.Random(0), lengths)
    shuffled = epoch_order(400, 8, random.Random(0))
    assert sorted(grouped) == list(range(400)) and sorted(shuffled) == list(range(400))
    assert padding(grouped) < padding(shuffled) / 4
    assert grouped == epoch_order(400, 8, random.Random(0), lengths)  # seeded
    longest = [max(lengths[j] for j in grouped[i : i + 8]) for i in range(0, 400, 8)]
    assert longest != sorted(longest, reverse=True)  # the batches themselves are shuffled


def test_balanced_epochs_draw_every_class_as_often_as_the_largest() -> None:
    classes = ["big"] * 12 + ["small"] * 3 + ["tiny"]
    order = epoch_order(len(classes), 4, random.Random(0), lengths=list(range(16)), classes=classes)
    counts = Counter(classes[i] for i in order)
    assert counts == {"big": 12, "small": 12, "tiny": 12}
    assert {i for i in order if classes[i] == "small"} == {12, 13, 14}  # every example still used


def test_balanced_batches_do_not_repeat_an_example() -> None:
    """Copies of a repeated e-mail have the same length: grouping by length must not batch them."""
    import random

    classes = ["big"] * 60 + ["small"] * 4
    lengths = [100 + i for i in range(64)]
    order = epoch_order(len(classes), 8, random.Random(0), lengths=lengths, classes=classes)
    batches = [order[i : i + 8] for i in range(0, len(order), 8)]
    assert sorted(order) == sorted(list(range(60)) + [60 + i % 4 for i in range(60)])  # same draw
    # 15 copies of each "small" e-mail in 120 examples: one per batch is possible, and what we get
    assert all(len(set(batch)) == len(batch) for batch in batches)
    spread = [max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in batches]
    assert sorted(spread)[len(spread) // 2] < 40  # still grouped by length (random batches: ~60)


def test_a_capped_draw_takes_each_class_in_turn_and_keeps_the_corpus_order() -> None:
    classes = ["alert"] * 40 + ["bastion"] * 3 + ["restore"] * 10
    taken = evenly_across(classes, 12)
    assert Counter(classes[i] for i in taken) == {"alert": 5, "bastion": 3, "restore": 4}
    assert taken == sorted(taken) and taken[:5] == [0, 1, 2, 3, 4]  # each class's first examples
    assert evenly_across(classes, None) == list(range(53)) == evenly_across(classes, 100)
    assert Counter(classes[i] for i in evenly_across(classes, 3)) == {"alert": 1, "bastion": 1, "restore": 1}
