"""Text plumbing shared by the alert parsers: clean lines, blocks, labelled values, states.

Notifications reach the desk in many wrappings: as sent, forwarded under a client's note,
quoted with ``>`` in a reply, flattened by the ticketing tool (line breaks turned into
asterisks), or HTML-stripped (a table becomes ``Label<TAB>Value`` or label and value on
consecutive lines). The parsers read *lines* through these helpers so that each of them only
has to describe its tool's labels, never the wrapping.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from mail2ticket.data.threads import is_attribution, is_header_field, is_separator_line

_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2007": " ", "\r": ""})
_QUOTES = re.compile(r"^[ \t]*(?:>[ \t]?)+", re.MULTILINE)


def clean_lines(text: str) -> list[str]:
    """The text as lines, with quoting, odd spaces and a ticketing tool's flattening undone.

    All ``>`` levels go: a notification quoted in a reply is still the tool's text. A text
    without any line break but with asterisks was flattened (``corpus.flatten``): every
    asterisk becomes a line break again (banners like ``***** Nagios *****`` turn into blank
    lines, which is harmless because parsers key on labels, not banners).
    """
    text = text.translate(_SPACES)
    if "\n" not in text.strip() and text.count("*") >= 3:
        text = text.replace("*", "\n")
    text = _QUOTES.sub("", text)
    return [line.rstrip() for line in text.split("\n")]


def block_end(lines: Sequence[str], start: int) -> int:
    """Index just past the notification block starting at ``start`` (next thread separator)."""
    for index in range(start + 1, len(lines)):
        if is_separator_line(lines[index]):
            return index
    return len(lines)


def message_starts(lines: Sequence[str]) -> list[int]:
    """Indexes of the first content line of each message: the top one and each forwarded body.

    One-line notification formats are trusted only there: a line somewhere inside a human
    e-mail, or quoted below a reply's ``On … wrote:``, is a mention, not a notification.
    """
    starts: list[int] = []
    index = _next_content(lines, 0)
    if index < len(lines):
        starts.append(index)
    for index, line in enumerate(lines):
        if not is_separator_line(line) or is_attribution(line):
            continue
        after = index + 1 if not is_header_field(line) else index
        while after < len(lines) and (not lines[after].strip() or is_header_field(lines[after])):
            after += 1
        if after < len(lines) and after not in starts:
            starts.append(after)
    return starts


def _next_content(lines: Sequence[str], index: int) -> int:
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index


@dataclass(frozen=True)
class Labelled:
    """A ``label: value`` line found in a block, and where (for continuation lines)."""

    value: str
    index: int


def _label_pattern(labels: Sequence[str]) -> re.Pattern[str]:
    alternatives = "|".join(labels)
    # "Label: value", "Label = value" (NetBackup), "Label<TAB>value" or "Label   value" (HTML tables).
    return re.compile(rf"^\s*(?:{alternatives})(?:\s*[:=]|\t|\s{{2,}}|\s*$)\s*(?P<value>.*?)\s*$", re.IGNORECASE)


def labelled(lines: Sequence[str], labels: Sequence[str], start: int = 0, stop: int | None = None) -> Labelled | None:
    """The first value of one of ``labels`` (regexes) in ``lines[start:stop]``.

    A label alone on its line takes the next non-blank line as its value (HTML tables
    stripped to text, Nagios' ``Additional Info:`` followed by a blank line).
    """
    pattern = _label_pattern(labels)
    stop = len(lines) if stop is None else stop
    for index in range(start, stop):
        match = pattern.match(lines[index])
        if match is None:
            continue
        if match["value"]:
            return Labelled(match["value"], index)
        following = _next_content(lines, index + 1)
        if following < stop:
            return Labelled(lines[following].strip(), following)
    return None


def value(lines: Sequence[str], labels: Sequence[str], start: int = 0, stop: int | None = None) -> str | None:
    """Just the value of :func:`labelled`."""
    found = labelled(lines, labels, start, stop)
    return found.value if found else None


def continued(lines: Sequence[str], found: Labelled, stop: int, label_line: re.Pattern[str]) -> str:
    """A value wrapped over several lines: the following lines up to a blank or labelled one."""
    parts = [found.value]
    for index in range(found.index + 1, stop):
        line = lines[index].strip()
        if not line or label_line.match(line):
            break
        parts.append(line)
    return " ".join(parts)


def find(lines: Sequence[str], pattern: re.Pattern[str], start: int = 0, stop: int | None = None) -> int | None:
    """Index of the first line of ``lines[start:stop]`` that ``pattern`` matches."""
    stop = len(lines) if stop is None else stop
    return next((i for i in range(start, stop) if pattern.search(lines[i])), None)


# ------------------------------------------------------------------ states
_STATE_WORDS = {
    "OK": "OK",
    "UP": "OK",
    "RECOVERY": "OK",
    "RESOLVED": "OK",
    "WARNING": "WARNING",
    "WARN": "WARNING",
    "AVERTISSEMENT": "WARNING",
    "ALERTE": "WARNING",
    "CRITICAL": "CRITICAL",
    "CRIT": "CRITICAL",
    "CRITIQUE": "CRITICAL",
    "UNKNOWN": "UNKNOWN",
    "INCONNU": "UNKNOWN",
    "DOWN": "DOWN",
    "UNREACHABLE": "UNREACHABLE",
    "INJOIGNABLE": "UNREACHABLE",
    "INACCESSIBLE": "UNREACHABLE",
}


def severity_of_state(state: str | None) -> str | None:
    """The taxonomy severity of a Nagios-family state word (host UP and RECOVERY mean OK)."""
    if not state:
        return None
    word = state.strip().strip("!*.").split()[0].upper() if state.strip().strip("!*.") else ""
    return _STATE_WORDS.get(word)


def strip_address(host: str) -> str:
    """``srv-web-01 (10.0.0.5)`` → ``srv-web-01``: a device name followed by its address."""
    return re.sub(r"\s*\((?:[\d.]+|[0-9a-fA-F:]+|[\w.-]+\.[a-z]{2,})\)\s*$", "", host).strip()
