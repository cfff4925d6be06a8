"""The label trie: which nodes run, who sees whom, and where the choices are."""

from __future__ import annotations

import pytest

from mail2ticket.engines.label_trie import Choice, LabelTree


def test_shared_tokens_run_once_and_choices_sit_where_labels_part() -> None:
    tree = LabelTree.build([[7, 1, 2, 3], [7, 1, 9], [8]])
    assert tree.tokens == (7, 1, 2)  # every node with children, once; leaves never run
    assert tree.depths == (0, 1, 2)
    assert tree.ancestors == ((0,), (0, 1), (0, 1, 2))
    assert tree.choices == (Choice(-1, (7, 8)), Choice(1, (2, 9)))  # (7,) and (7,1,2) have one way on
    assert tree.paths == (((0, 0), (1, 0)), ((0, 0), (1, 1)), ((0, 1),))


def test_sibling_branches_do_not_see_each_other() -> None:
    tree = LabelTree.build([[5, 1, 1], [5, 2, 1], [6]])
    first, second = tree.tokens.index(1), tree.tokens.index(2)
    assert tree.depths[first] == tree.depths[second] == 1
    assert second not in tree.ancestors[first] and first not in tree.ancestors[second]


def test_a_single_label_has_no_choice_and_empty_labels_are_refused() -> None:
    assert LabelTree.build([[4, 4]]).paths == ((),)
    with pytest.raises(ValueError, match="at least one token"):
        LabelTree.build([[1], []])
