"""What training and the transformers engine share about running a causal LM.

- :mod:`.layers`: the decoder stack and the head, called apart;
- :mod:`.kv_cache`: the key/value cache under the name the installed transformers uses;
- :mod:`.prefix`: the instructions every prompt of a batch starts with, run once.

Both sides run the model through these, so a training step and a served classification compute
the same numbers the same way.
"""

from mail2ticket.modeling.kv_cache import cache_argument, cache_keyword, output_cache
from mail2ticket.modeling.layers import decoder_and_head, decoder_layers
from mail2ticket.modeling.prefix import MIN_SHARED_PREFIX, common_prefix_length

__all__ = [
    "MIN_SHARED_PREFIX",
    "cache_argument",
    "cache_keyword",
    "common_prefix_length",
    "decoder_and_head",
    "decoder_layers",
    "output_cache",
]
