"""The labels' answer tokens as a trie, scored in one forward pass (tree attention).

Constrained decoding over a set of labels only makes choices where labels part ways. Labels
share most of their tokens ("Demande de service/Backup #BCS/…"): run as separate sequences,
the nine labels of the taxonomy cost about 114 tokens per e-mail, as a trie about 25. Every
trie node that has children is fed once, after the prompt; an attention mask lets each node
see the prompt and its own ancestors only, and its position is the prompt's length plus its
depth, so each node computes exactly what it would at the end of its own label's sequence.

This module is the pure bookkeeping (which tokens to feed, who sees whom, which logits decide
what); :class:`~mail2ticket.engines.transformers_engine.TransformersEngine` runs it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Choice:
    """A point where labels part ways.

    Attributes:
        source: The fed node whose logits decide (-1: the prompt's last position).
        tokens: The tokens allowed there, sorted; the probabilities are renormalised over them.
    """

    source: int
    tokens: tuple[int, ...]


@dataclass(frozen=True)
class LabelTree:
    """Which tokens to feed after a prompt, and how to read every label's score from their logits.

    Attributes:
        tokens: The token of each fed node (every trie node with children), parents first.
        depths: Each fed node's depth (0: the first answer token); its position is
            ``prompt length + depth``.
        ancestors: For each fed node, the fed nodes it attends to (its ancestors and itself).
        choices: The branching points, in a fixed order.
        paths: For each label, the (choice index, index of its token in ``Choice.tokens``) it takes.
    """

    tokens: tuple[int, ...]
    depths: tuple[int, ...]
    ancestors: tuple[tuple[int, ...], ...]
    choices: tuple[Choice, ...]
    paths: tuple[tuple[tuple[int, int], ...], ...]

    @classmethod
    def build(cls, continuations: Sequence[Sequence[int]]) -> LabelTree:
        """The trie of ``continuations`` (token ids of each label, cut where they are decided)."""
        if not continuations or any(len(c) == 0 for c in continuations):
            raise ValueError("every label needs at least one token")
        nodes: dict[tuple[int, ...], int] = {}  # proper prefix (length >= 1) -> fed node index
        tokens: list[int] = []
        depths: list[int] = []
        ancestors: list[tuple[int, ...]] = []
        for ids in continuations:
            for t in range(1, len(ids)):
                key = tuple(ids[:t])
                if key not in nodes:
                    parent = ancestors[nodes[key[:-1]]] if t > 1 else ()
                    nodes[key] = len(tokens)
                    tokens.append(ids[t - 1])
                    depths.append(t - 1)
                    ancestors.append((*parent, nodes[key]))
        allowed: dict[tuple[int, ...], set[int]] = {}
        for ids in continuations:
            for t in range(len(ids)):
                allowed.setdefault(tuple(ids[:t]), set()).add(ids[t])
        choice_index: dict[tuple[int, ...], int] = {}
        choices: list[Choice] = []
        for context, options in allowed.items():
            if len(options) > 1:  # a single allowed token has probability 1: nothing to score
                choice_index[context] = len(choices)
                choices.append(Choice(nodes[context] if context else -1, tuple(sorted(options))))
        paths = []
        for ids in continuations:
            path = []
            for t in range(len(ids)):
                index = choice_index.get(tuple(ids[:t]))
                if index is not None:
                    path.append((index, choices[index].tokens.index(ids[t])))
            paths.append(tuple(path))
        return cls(tuple(tokens), tuple(depths), tuple(ancestors), tuple(choices), tuple(paths))
