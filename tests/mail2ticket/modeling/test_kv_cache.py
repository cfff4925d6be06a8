"""The key/value cache passed in and read out under the installed transformers' own name."""

from __future__ import annotations

import inspect
import logging

import pytest

from mail2ticket.modeling.kv_cache import cache_argument, cache_keyword, output_cache
from mail2ticket.modeling.layers import decoder_and_head


def test_the_keyword_is_the_one_the_installed_models_take(transformers_engine) -> None:
    decoder, _ = decoder_and_head(transformers_engine.model)
    assert cache_keyword() in inspect.signature(type(decoder).forward).parameters


def test_a_prompt_continued_from_its_cache_ends_as_the_whole_prompt(
    transformers_engine, caplog: pytest.LogCaptureFixture
) -> None:
    import torch
    from transformers.utils import logging as hf_logging

    model = transformers_engine.model
    ids = transformers_engine.tokenizer.encode("Bonjour, la sauvegarde de cette nuit a échoué sur le serveur.")
    head, tail = torch.tensor([ids[:-3]]), torch.tensor([ids[-3:]])
    hf_logging.warning_once.cache_clear()  # a deprecation logged earlier in the session would hide ours
    transformers_logger = hf_logging.get_logger("transformers")
    transformers_logger.addHandler(caplog.handler)  # transformers' root logger does not propagate
    try:
        with torch.inference_mode(), caplog.at_level(logging.WARNING):
            whole = model(input_ids=torch.tensor([ids])).logits[0, -1]
            cache = output_cache(model(input_ids=head, use_cache=True))
            positions = torch.arange(len(ids) - 3, len(ids))[None]
            continued = model(input_ids=tail, position_ids=positions, **cache_argument(cache), use_cache=True)
    finally:
        transformers_logger.removeHandler(caplog.handler)
    assert cache.get_seq_length() == len(ids)  # the continuation was appended to the cache passed in
    assert torch.allclose(continued.logits[0, -1], whole, atol=1e-4)
    assert not [r for r in caplog.records if "deprecated" in r.getMessage()]
