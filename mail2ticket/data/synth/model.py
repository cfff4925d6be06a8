"""Data classes shared by the synthetic-corpus writers.

The three public dataclasses (`Company`, `Person`, `ClientEmail`) are the contract with the
corpus assembler. `Ctx` and `Draft` are internal: a writer family receives a `Ctx` and
returns a `Draft` (the request core plus its ground truth), and `compose.py` dresses the
draft up into a full e-mail. Keeping the core separate from the framing is what makes the
variety combinatorial: every family is crossed with every greeting, signature and noise.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime

from faker import Faker


@dataclass(frozen=True)
class Company:
    """A Nuvalis client. `hostname_style` is a pattern such as ``SRV-{ROLE}-{NN}``."""

    name: str
    domain: str
    hostname_style: str


@dataclass(frozen=True)
class Person:
    """Somebody who writes or answers e-mails."""

    first_name: str
    last_name: str
    email: str
    title: str
    phone: str


@dataclass(frozen=True)
class ClientEmail:
    """One e-mail as received by the Nuvalis desk, with its extraction ground truth."""

    body: str
    subject: str
    fields: dict[str, object]
    sender_name: str
    sender_email: str
    automatic: bool
    style: str


@dataclass
class Ctx:
    """Everything a writer family may draw from; bundles the caller's RNGs."""

    company: Company
    sender: Person
    sent_at: datetime
    rng: random.Random
    faker: Faker


@dataclass
class Draft:
    """The request core produced by a writer family, before greeting/signature/noise.

    `text` is what the human typed (typos and other noise may be applied to it, except to
    the `protected` strings, which stay verbatim). `machine` is a verbatim block placed
    after the signature (a forwarded alert); an automatic e-mail has only `machine`.
    `register` drives greeting, closing, signature and noise: formal, neutral, informal,
    phone, english or bare (no greeting/closing at all, e.g. a ticket form).
    """

    family: str
    subject: str
    text: str = ""
    fields: dict[str, object] = field(default_factory=dict)
    protected: list[str] = field(default_factory=list)
    register: str = "neutral"
    machine: str = ""
    automatic: bool = False
    sender_name: str | None = None
    sender_email: str | None = None
    greet: bool = True
    sign: bool = True
    forward: bool = False
    extras: bool = True
