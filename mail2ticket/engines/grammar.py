"""Schema-constrained decoding: the grammar of a JSON Schema, compiled once, shared by both engines.

Both engines constrain extraction with xgrammar: ``TransformersEngine`` masks the logits with
the compiled grammar, ``VLLMEngine`` hands vLLM the grammar's text. Both go through the same
text here, with the same options (no free whitespace, xgrammar's separators), so greedy
decoding gives the same document on both.

The text is xgrammar's own (``Grammar.from_json_schema``), with one escape made unambiguous.
xgrammar 0.2.8 writes a non-ASCII character of a string literal as a hex escape (``é`` as
``\\xe9``) and reads hex escapes greedily: "création" becomes ``cr\\xe9ation``, read back as
"cr" U+0E9A "tion". Every schema with an accented enum value (``création``, ``restauration
complète``…) then forbids the value and allows a wrong character instead. Ending the literal
after such an escape when a hex digit follows (``"cr\\xe9" "ation"``) keeps the same language
and removes the ambiguity.

A document the token budget cuts is closed by :func:`closed_object`, with the grammar deciding
which closing is valid.
"""

from __future__ import annotations

import json
import string
import threading
from collections.abc import Sequence
from typing import Any

from mail2ticket.engines.base import ExtractionBudgetError

_HEX = frozenset(string.hexdigits)


def schema_ebnf(json_schema: dict[str, Any]) -> str:
    """xgrammar's EBNF for ``json_schema`` (no free whitespace), with unambiguous escapes.

    Raises ``ValueError`` when xgrammar cannot turn the schema into a grammar.
    """
    import xgrammar as xgr

    try:
        grammar = xgr.Grammar.from_json_schema(json.dumps(json_schema, ensure_ascii=False), any_whitespace=False)
    except (RuntimeError, ValueError, TypeError) as exc:
        raise ValueError(f"cannot compile this JSON Schema into a grammar: {exc}") from None
    return split_hex_escapes(str(grammar))


def schema_grammar(json_schema: dict[str, Any]) -> Any:
    """The parsed ``xgrammar.Grammar`` of :func:`schema_ebnf`."""
    import xgrammar as xgr

    return xgr.Grammar.from_ebnf(schema_ebnf(json_schema))


def split_hex_escapes(ebnf: str) -> str:
    """Close and reopen a string literal after a ``\\x``/``\\u`` escape that a hex digit follows.

    Only double-quoted literals are touched; character classes (``[...]``) keep their escapes,
    where a range or the closing bracket always follows.
    """
    out: list[str] = []
    i, n = 0, len(ebnf)
    in_string = in_class = False
    while i < n:
        char = ebnf[i]
        if char == "\\" and i + 1 < n:
            kind = ebnf[i + 1]
            width = {"x": 2, "u": 4, "U": 8}.get(kind, 0) if (in_string or in_class) else 0
            escape = ebnf[i : i + 2 + width]
            out.append(escape)
            i += len(escape)
            if in_string and width and i < n and ebnf[i] in _HEX:
                out.append('" "')
            continue
        if in_string:
            in_string = char != '"'
        elif in_class:
            in_class = char != "]"
        elif char == '"':
            in_string = True
        elif char == "[":
            in_class = True
        out.append(char)
        i += 1
    return "".join(out)


class GrammarCache:
    """Each schema's grammar, as text and compiled for one tokenizer, built once per schema.

    The compiler is built on first use: an engine that only classifies never pays for it.
    ``vocab_size`` is the model's output size when it differs from the tokenizer's (a padded
    embedding matrix): a token mask of the wrong width would leave trailing logits unmasked.
    """

    def __init__(self, tokenizer: Any, stop_token_ids: Sequence[int], vocab_size: int | None = None) -> None:
        self.tokenizer = tokenizer
        self.stop_token_ids = list(stop_token_ids)
        self.vocab_size = vocab_size
        self._compiler: Any = None
        self._grammars: dict[str, tuple[str, Any]] = {}
        self._lock = threading.Lock()

    def get(self, json_schema: dict[str, Any]) -> tuple[str, Any]:
        """The schema's EBNF text and its compiled grammar."""
        import xgrammar as xgr

        key = json.dumps(json_schema, sort_keys=True, ensure_ascii=False)
        with self._lock:
            if key not in self._grammars:
                text = schema_ebnf(json_schema)
                if self._compiler is None:
                    options = {} if self.vocab_size is None else {"vocab_size": self.vocab_size}
                    info = xgr.TokenizerInfo.from_huggingface(
                        self.tokenizer, stop_token_ids=self.stop_token_ids, **options
                    )
                    self._compiler = xgr.GrammarCompiler(info, max_threads=2)
                self._grammars[key] = (text, self._compiler.compile_grammar(xgr.Grammar.from_ebnf(text)))
            return self._grammars[key]


def conforms(compiled: Any, text: str) -> bool:
    """Whether ``text`` is a whole document of the compiled grammar (the schema's own validator)."""
    import xgrammar as xgr

    matcher = xgr.GrammarMatcher(compiled)
    return matcher.accept_string(text) and matcher.is_completed()


def closed_object(compiled: Any, text: str) -> dict:
    """The generated object, or, when the budget cut it short, its longest schema-valid closing.

    Text decoded under the grammar is always a valid *prefix*; a complete one is the answer.
    A cut one is closed at each comma, last first (the fields before it are complete), with
    ``}`` or ``]}`` (the cut may fall inside a list); the grammar itself decides which closing
    is valid, so a comma inside a string value can never produce a wrong object. When nothing
    closes, the result is ``{}`` if the schema allows it (every taxonomy schema does: all its
    fields are optional), else :class:`ExtractionBudgetError`.
    """
    if conforms(compiled, text):
        return json.loads(text)
    for cut in (i for i in range(len(text) - 1, 0, -1) if text[i] == ","):
        for closing in ("}", "]}"):
            candidate = text[:cut] + closing
            if conforms(compiled, candidate):
                return json.loads(candidate)
    if conforms(compiled, "{}"):
        return {}
    raise ExtractionBudgetError(
        "the token budget ran out before the JSON object was complete and the schema's required "
        "properties leave no valid fallback: raise max_new_tokens"
    )


__all__ = ["GrammarCache", "closed_object", "conforms", "schema_ebnf", "schema_grammar", "split_hex_escapes"]
