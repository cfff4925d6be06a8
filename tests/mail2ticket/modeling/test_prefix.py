"""Token prefixes: what every prompt shares, and where labels part ways."""

from __future__ import annotations

from mail2ticket.engines.label_trie import decisive_prefixes
from mail2ticket.modeling.prefix import common_prefix_length


def test_common_prefix_leaves_each_sequence_a_token() -> None:
    assert common_prefix_length([[1, 2, 3, 4], [1, 2, 3, 5]]) == 3
    assert common_prefix_length([[1, 2], [1, 2]]) == 1
    assert common_prefix_length([]) == 0


def test_labels_are_cut_where_no_other_label_follows() -> None:
    labels = [[7, 1, 2, 3], [7, 1, 9, 9, 9], [8, 4, 4], [7, 1, 2, 3, 6]]
    assert decisive_prefixes(labels) == [[7, 1, 2, 3], [7, 1, 9], [8], [7, 1, 2, 3, 6]]
    assert decisive_prefixes([[5, 6, 7]]) == [[5]]
