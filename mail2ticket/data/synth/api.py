"""Public entry points used by the corpus assembler.

`write_client_email` draws a writer family for the category (weighted), lets it produce a
`Draft`, then `compose` dresses it up. Long-tail category names go to the generic writer.
All randomness comes from the caller's `rng` and `faker`, so a seed fixes the output.
"""

from __future__ import annotations

import bisect
import random
from datetime import datetime

from faker import Faker

from mail2ticket.taxonomy import load_taxonomy

from .compose import compose
from .longtail import write_long_tail
from .model import ClientEmail, Company, Ctx, Person
from .writers import CUM_WEIGHTS, REGISTRY
from .writers.common import W


def write_client_email(
    category: str, company: Company, sender: Person, sent_at: datetime, rng: random.Random, faker: Faker
) -> ClientEmail:
    """One client (or tool) e-mail of `category` with its extraction ground truth.

    `category` is a taxonomy name or any long-tail name (see `long_tail_categories`).
    """
    ctx = Ctx(company=company, sender=sender, sent_at=sent_at, rng=rng, faker=faker)
    w = W(ctx)
    key = taxonomy_key(category)
    if key in REGISTRY:
        families = REGISTRY[key]
        cum = CUM_WEIGHTS[key]
        idx = bisect.bisect_right(cum, rng.random() * cum[-1])
        _name, _weight, fn = families[min(idx, len(families) - 1)]
        draft = fn(w)
    else:
        key = "longtail"
        draft = write_long_tail(category, w)
    fields: dict[str, object] = {}
    for k, v in draft.fields.items():
        if isinstance(v, list):
            v = list(dict.fromkeys(v))
        if v is not None and v != []:
            fields[k] = v
    draft.fields = fields
    return compose(draft, ctx, key)


def taxonomy_key(category: str) -> str | None:
    """The taxonomy key of a category label; None for a long-tail category."""
    return load_taxonomy().key_of(category)


def families_of(category: str) -> list[str]:
    """Names of the writer families of a taxonomy category (for tests and reports)."""
    return [name for name, _w, _f in REGISTRY[taxonomy_key(category) or category]]
