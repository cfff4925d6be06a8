"""The labels' answer tokens as a trie, scored in one forward pass (tree attention).

Constrained decoding over a set of labels only makes choices where labels part ways. Labels
share most of their tokens ("Demande de service/Backup #BCS/…"): run as separate sequences,
the nine labels of the taxonomy cost about 114 tokens per e-mail, as a trie about 25. Every
trie node that has children is fed once, after the prompt; an attention mask lets each node
see the prompt and its own ancestors only, and its position is the prompt's length plus its
depth, so each node computes exactly what it would at the end of its own label's sequence.

This module is the pure bookkeeping (which tokens to feed, who sees whom, which logits decide
what), shared by both engines: :class:`~mail2ticket.engines.transformers.TransformersEngine`
feeds the trie in one forward pass; :class:`~mail2ticket.engines.vllm.VLLMEngine` asks vLLM for
the log-probabilities of each choice's tokens after its context. Both then renormalise at each
choice and sum along each label's path, so they compute the same distribution.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mail2ticket.prompts import answer_token_ids


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

    @classmethod
    def for_labels(cls, tokenizer: Any, labels: Sequence[str]) -> LabelTree:
        """The trie of the labels' answer tokens (after the answer prefix), cut where they are decided."""
        return cls.build(decisive_prefixes([answer_token_ids(tokenizer, label) for label in labels]))

    def context(self, choice: Choice) -> tuple[int, ...]:
        """The answer tokens before ``choice``: the path from the root to its source node."""
        if choice.source < 0:
            return ()
        return tuple(self.tokens[node] for node in self.ancestors[choice.source])

    def label_probabilities(self, choice_log_probs: Sequence[dict[int, float]]) -> list[float]:
        """Each label's probability from the model's log-probabilities of each choice's tokens.

        ``choice_log_probs[i]`` holds, for every token of ``choices[i]``, its log-probability
        under the full vocabulary. They are renormalised over the choice's tokens (what a
        constrained decoder samples from), summed along each label's path, and the labels'
        scores go through a softmax, as :class:`~mail2ticket.engines.transformers.TransformersEngine`
        computes them with tensors.
        """
        restricted = []
        for choice, log_probs in zip(self.choices, choice_log_probs, strict=True):
            missing = [token for token in choice.tokens if token not in log_probs]
            if missing:
                raise RuntimeError(f"no log-probability for tokens {missing}")
            values = [log_probs[token] for token in choice.tokens]
            top = max(values)
            total = top + math.log(sum(math.exp(v - top) for v in values))
            restricted.append([v - total for v in values])
        scores = [sum(restricted[index][option] for index, option in path) for path in self.paths]
        top = max(scores)
        weights = [math.exp(s - top) for s in scores]
        return [w / sum(weights) for w in weights]


class LabelTreeCache:
    """Each label set's trie for one tokenizer, built once: every call of an agent asks for the same labels."""

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer
        self._trees: dict[tuple[str, ...], LabelTree] = {}

    def get(self, labels: Sequence[str]) -> tuple[list[str], LabelTree]:
        """The labels with duplicates dropped (order kept) and their trie; no label at all is an error."""
        unique = list(dict.fromkeys(labels))
        if not unique:
            raise ValueError("no labels to choose from")
        key = tuple(unique)
        if key not in self._trees:
            self._trees[key] = LabelTree.for_labels(self.tokenizer, unique)
        return unique, self._trees[key]


def decisive_prefixes(sequences: Sequence[Sequence[int]]) -> list[list[int]]:
    """Each sequence cut after its first token that no other sequence shares at that position.

    Under decoding constrained to a set of labels, the tokens after that point are forced
    (probability 1): scoring them costs model calls and changes nothing. The taxonomy's labels
    ("Demande de service/Backup #BCS/…") are 20 tokens or more, and they part ways within the
    first few, so this removes most of the scoring work. A sequence that
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


__all__ = ["Choice", "LabelTree", "LabelTreeCache", "decisive_prefixes"]
