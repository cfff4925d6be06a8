"""The schema grammar both engines decode under: accented enum values must stay allowed."""

from __future__ import annotations

from pathlib import Path

import pytest
import xgrammar as xgr
from transformers import AutoTokenizer

from mail2ticket.engines.grammar import schema_ebnf, schema_grammar, split_hex_escapes
from mail2ticket.taxonomy import load_taxonomy


@pytest.fixture(scope="module")
def compiler(embedded_model_dir: Path) -> tuple[object, xgr.GrammarCompiler]:
    tokenizer = AutoTokenizer.from_pretrained(embedded_model_dir)
    info = xgr.TokenizerInfo.from_huggingface(tokenizer, stop_token_ids=[tokenizer.eos_token_id])
    return tokenizer, xgr.GrammarCompiler(info, max_threads=1)


def accepts(compiler: tuple, grammar: xgr.Grammar, document: str) -> bool:
    tokenizer, grammar_compiler = compiler
    matcher = xgr.GrammarMatcher(grammar_compiler.compile_grammar(grammar))
    tokens = tokenizer.encode(document, add_special_tokens=False)
    return all(matcher.accept_token(t) for t in tokens) and matcher.accept_token(tokenizer.eos_token_id)


def test_an_accented_value_followed_by_a_hex_letter_is_allowed(compiler: tuple) -> None:
    # "création": the raw escape \xe9 followed by "a" reads back as U+0E9A ("ບ").
    schema = {"type": "object", "properties": {"action": {"enum": ["création", "Étéa", "€uro1", "a\\x41b"]}}}
    grammar = schema_grammar(schema)
    for value in ("création", "Étéa", "€uro1", "a\\\\x41b"):
        assert accepts(compiler, grammar, f'{{"action": "{value}"}}'), value
    assert not accepts(compiler, grammar, '{"action": "crບtion"}')


def test_only_string_literals_are_split() -> None:
    assert split_hex_escapes('a ::= "cr\\xe9ation" [\\x00-\\x1fa]') == 'a ::= "cr\\xe9" "ation" [\\x00-\\x1fa]'
    assert split_hex_escapes('a ::= "\\\\xe9a"') == 'a ::= "\\\\xe9a"'  # an escaped backslash, then text


def test_every_enum_value_of_the_taxonomy_is_allowed(compiler: tuple) -> None:
    taxonomy = load_taxonomy()
    checked = 0
    for label in taxonomy.labels:
        schema = taxonomy.json_schema(label)
        grammar = schema_grammar(schema)
        for name, field in schema["properties"].items():
            for value in field.get("enum", []):
                assert accepts(compiler, grammar, f'{{"{name}": "{value}"}}'), (label, name, value)
                checked += 1
    assert checked > 0


def test_a_schema_without_a_grammar_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="grammar"):
        schema_ebnf({"type": "object", "properties": {"x": {"$ref": "#/nowhere"}}})
