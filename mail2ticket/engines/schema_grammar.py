"""The grammar of a JSON Schema, as EBNF text both engines decode under.

Both engines constrain extraction with xgrammar (``TransformersEngine`` compiles the grammar,
``VLLMEngine`` hands vLLM its text), so they go through the same text here. The text comes
from xgrammar's own converter; one escape is made unambiguous on the way.

xgrammar 0.2.8 writes a non-ASCII character of a string literal as a hex escape (``é`` as
``\\xe9``) and reads hex escapes greedily: "création" becomes ``cr\\xe9ation``, read back as
"cr" U+0E9A "tion". Every schema with an accented enum value (``création``, ``restauration
complète``…) then forbids the value and allows a wrong character instead. Ending the literal
after such an escape when a hex digit follows (``"cr\\xe9" "ation"``) keeps the same language
and removes the ambiguity.
"""

from __future__ import annotations

import json
import string
from typing import Any

_HEX = frozenset(string.hexdigits)


def schema_ebnf(json_schema: dict[str, Any]) -> str:
    """xgrammar's EBNF for ``json_schema`` (no free whitespace), with unambiguous escapes.

    Raises ``ValueError`` when xgrammar cannot turn the schema into a grammar.
    """
    from xgrammar.testing import _json_schema_to_ebnf

    try:
        text = _json_schema_to_ebnf(json.dumps(json_schema, ensure_ascii=False), any_whitespace=False)
    except (RuntimeError, ValueError, TypeError) as exc:
        raise ValueError(f"cannot compile this JSON Schema into a grammar: {exc}") from None
    return split_hex_escapes(text)


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
