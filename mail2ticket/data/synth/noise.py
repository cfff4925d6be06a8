"""Surface noise of real e-mails: typos, missing accents, SMS spelling, flattened lines.

Noise is applied to what a human typed (greeting, request, closing), never to the
ground-truth strings: `protect` swaps them for private-use placeholders first, so
hostnames, paths and job names stay verbatim whatever happens around them. All regexes
are compiled once at import time (the generator must stay fast).
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

_ACCENTS = str.maketrans(
    {
        "à": "a",
        "â": "a",
        "ä": "a",
        "é": "e",
        "è": "e",
        "ê": "e",
        "ë": "e",
        "î": "i",
        "ï": "i",
        "ô": "o",
        "ö": "o",
        "ù": "u",
        "û": "u",
        "ü": "u",
        "ç": "c",
        "À": "A",
        "Â": "A",
        "É": "E",
        "È": "E",
        "Ê": "E",
        "Î": "I",
        "Ô": "O",
        "Ù": "U",
        "Ç": "C",
        "œ": "oe",
        "Œ": "OE",
        "’": "'",
    }
)

_WORD_RE = re.compile(r"[^\W\d_]{4,}")
_NEIGHBOURS = {
    "a": "zqs",
    "z": "aes",
    "e": "zrd",
    "r": "etf",
    "t": "ryg",
    "y": "tuh",
    "u": "yij",
    "i": "uok",
    "o": "ipl",
    "p": "olm",
    "q": "asw",
    "s": "qdz",
    "d": "sfe",
    "f": "dgr",
    "g": "fht",
    "h": "gjy",
    "j": "hku",
    "k": "jli",
    "l": "kmo",
    "m": "lp",
    "w": "xq",
    "x": "wcs",
    "c": "xvd",
    "v": "cbf",
    "b": "vng",
    "n": "bh",
}

_SMS = {
    "s'il te plaît": "stp",
    "s'il vous plaît": "svp",
    "beaucoup": "bcp",
    "problème": "pb",
    "problèmes": "pbs",
    "quand": "qd",
    "pour": "pr",
    "toujours": "tjrs",
    "aujourd'hui": "auj",
    "quelque chose": "qqch",
    "quelqu'un": "qqn",
    "rendez-vous": "rdv",
    "bonjour": "bjr",
    "c'est": "c",
    "dans": "ds",
    "vous": "vs",
    "nous": "ns",
    "tout": "tt",
    "avec": "avc",
    "message": "msg",
    "d'accord": "dac",
    "parce que": "pcq",
    "cordialement": "cdlt",
    "merci beaucoup": "merci bcp",
    "je ne sais pas": "jsp",
    "s'il te plait": "stp",
    "s'il vous plait": "svp",
    "probleme": "pb",
    "aujourd'hui,": "ajd,",
    "quelques": "qq",
    "maintenant": "mtn",
    "information": "info",
    "informations": "infos",
    "téléphone": "tel",
}
_SMS_RE = re.compile(
    r"\b(" + "|".join(re.escape(k) for k in sorted(_SMS, key=len, reverse=True)) + r")\b", re.IGNORECASE
)
_PLACEHOLDER_RE = re.compile("\ue000(\\d+)\ue001")
_SENT_END_RE = re.compile(r"\.(\s|$)")


def drop_accents(text: str) -> str:
    """Write the text as someone on a QWERTY keyboard or a phone without accents would."""
    return text.translate(_ACCENTS)


def _typo(word: str, rng: random.Random) -> str:
    n = len(word)
    i = rng.randrange(1, n - 1)
    op = rng.random()
    if op < 0.3:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if op < 0.55:
        return word[:i] + word[i + 1 :]
    if op < 0.75:
        return word[:i] + word[i] + word[i:]
    lower = word[i].lower()
    if lower in _NEIGHBOURS:
        return word[:i] + rng.choice(_NEIGHBOURS[lower]) + word[i + 1 :]
    return word[:i] + word[i + 1 :]


def typos(text: str, rng: random.Random, rate: float) -> str:
    """Swap/drop/double/mistype one letter in about `rate` of the words of 4+ letters."""
    if rate <= 0:
        return text

    def repl(m: re.Match[str]) -> str:
        w = m.group(0)
        if rng.random() >= rate or w.isupper():
            return w
        return _typo(w, rng)

    return _WORD_RE.sub(repl, text)


def sms(text: str, rng: random.Random, p: float) -> str:
    """Replace common words by their SMS/chat abbreviations with probability `p` each."""

    def repl(m: re.Match[str]) -> str:
        if rng.random() >= p:
            return m.group(0)
        return _SMS[m.group(0).lower()] if m.group(0).lower() in _SMS else m.group(0)

    return _SMS_RE.sub(repl, text)


def casual_punctuation(text: str, rng: random.Random) -> str:
    """Drop final full stops or turn them into '...' / '!' as hurried writers do."""
    choice = rng.random()
    if choice < 0.4:
        return _SENT_END_RE.sub(lambda m: m.group(1), text)
    if choice < 0.7:
        return _SENT_END_RE.sub(lambda m: rng.choice(("...", ".", ".", " !")) + m.group(1), text)
    return text.replace(" ?", "??", 1).replace("!", "!!", 1)


def may_lower_first(text: str, protected: Sequence[str]) -> bool:
    """Whether ``text``'s first letter may be lower-cased to follow a comma ("Bonjour, merci de...").

    Only a capitalised word is (not an acronym such as ``VM``), and never the start of a value
    the ground truth holds verbatim (``Backup Job FILE05``).
    """
    return text[1:2].islower() and not any(text.startswith(value) for value in protected)


def protect(text: str, values: list[str]) -> tuple[str, list[str]]:
    """Swap each protected value for a placeholder that no noise function will touch."""
    kept: list[str] = []
    for v in sorted({v for v in values if v and len(v) > 1}, key=len, reverse=True):
        if v in text:
            text = text.replace(v, f"\ue000{len(kept)}\ue001")
            kept.append(v)
    return text, kept


def restore(text: str, kept: list[str]) -> str:
    if not kept:
        return text
    return _PLACEHOLDER_RE.sub(lambda m: kept[int(m.group(1))], text)


def flatten_asterisks(body: str, rng: random.Random) -> str:
    """Mimic the ticket tool that flattened some e-mails, newlines becoming asterisks."""
    if rng.random() < 0.6:
        lines = [ln.strip() for ln in body.split("\n") if ln.strip()]
        return rng.choice(("* ", "*", " * ")).join(lines)
    return body.replace("\r", "").replace("\n", "*")
