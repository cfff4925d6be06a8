"""Split a ticket Description into e-mail messages and isolate the first client e-mail.

A Description is what the ticketing tool stored for a ticket created from an e-mail: often a
whole thread, newest message on top, older messages quoted below by Outlook (FR/EN header
blocks, ``-----Message d'origine-----``, a line of underscores), Thunderbird/Gmail/Apple Mail
(``Le … a écrit :`` / ``On … wrote:`` with ``>`` quoting) or forwarded (``Début du message
transféré``, ``---------- Forwarded message ---------``). Some tools flattened the text and
replaced line breaks with asterisks; the separators then sit in the middle of one long line.

Why not a reply-parsing library: ``email_reply_parser`` handles English attributions only,
``talon`` is unmaintained and pins old dependencies, and ``mail-parser-reply`` (the best kept,
with French support) anchors every pattern at real line starts, strips signatures and
disclaimers (which we keep: they carry company names and context), and does not tell a reply
from a forward or report who sent each message. All three return the *latest* reply, while we
need the *oldest message the client sent*, with what it forwarded. The rules below are small,
explicit and tested on hand-written threads.

The rules:

* Reply separators start an older message: an Outlook header block (``De :``/``From:``, then
  ``Envoyé :``/``Sent:``/``Date :``, ``À :``/``To:``, ``Cc :``, up to ``Objet :``/``Subject:``),
  optionally preceded by ``-----Message d'origine-----`` / ``-----Original Message-----`` /
  ``-------- Message d'origine --------`` or a line of underscores; those marker lines alone;
  an attribution line ``Le …, X <x@y> a écrit :`` / ``On …, X wrote:`` (possibly wrapped onto
  two lines), after which one level of ``>`` quoting is removed.
* A forward marker keeps everything below it inside the message that forwards it.
* A message is from the support desk when its sender's domain is (a subdomain of) one of
  ``support_domains``; a message without a known sender (the top one) counts as the client's.
* The first client e-mail is the oldest non-empty message sent by the client, without its own
  header block or attribution line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_SUPPORT_DOMAINS: tuple[str, ...] = ("nuvalis.fr",)

_EMAIL = re.compile(r"[\w.+'-]+@([\w-]+(?:\.[\w-]+)+)")

_HEADER_FIELD = re.compile(
    r"^(De|From|Envoy[ée]|Sent|Date|[ÀA]|To|Cc|Cci|Bcc|Objet|Subject|Importance)\s?:(.*)$",
    re.IGNORECASE,
)
_FIELD_ROLE = {
    "de": "from", "from": "from",
    "envoyé": "sent", "envoye": "sent", "sent": "sent", "date": "sent",
    "objet": "subject", "subject": "subject",
}  # fmt: skip
_RECIPIENT_ROLES = {"à", "a", "to", "cc", "cci", "bcc"}

_REPLY_MARKER = re.compile(
    r"^-{2,}\s*(?:Message d['’]origine|Original Message|Message original)\s*-{2,}$", re.IGNORECASE
)
_UNDERSCORE_RULE = re.compile(r"^_{10,}$")
_FORWARD_MARKER = re.compile(
    r"D[ée]but du message (?:transf[ée]r[ée]|r[ée]exp[ée]di[ée])\s*:?"
    r"|-{2,}\s*(?:Message transf[ée]r[ée]|Forwarded message|Message transmis)\s*-{2,}"
    r"|Begin forwarded message\s*:?",
    re.IGNORECASE,
)
_ATTRIBUTION = re.compile(
    r"^(?:Le\s.*\sa\s+[ée]crit|On\s.*\swrote)\s*:\s*$",
    re.IGNORECASE,
)
_ATTRIBUTION_START = re.compile(r"^(?:Le|On)\s", re.IGNORECASE)
_QUOTE_PREFIX = re.compile(r"^[ \t]*> ?")

#: Cheap pre-check: a Description without any of these cannot contain a separator.
_ANY_SEPARATOR_HINT = re.compile(
    r"De\s?:|From:|Message|_{10}|[ée]crit|wrote|transf[ée]r|Forwarded|Begin forwarded|r[ée]exp",
    re.IGNORECASE,
)

_LINE_BREAKS = re.compile(r"\n")
_FLAT_BREAKS = re.compile(r"[\n*]")

#: How many logical lines a header block may span (blank lines and wrapped recipients included).
_MAX_HEADER_LINES = 16


@dataclass(frozen=True)
class Message:
    """One e-mail of a thread, newest first in :func:`split_messages`'s result."""

    body: str
    sender: str | None = None
    """The sender as written in the header or attribution (name and/or address), if any."""

    @property
    def sender_domain(self) -> str | None:
        if not self.sender:
            return None
        match = _EMAIL.search(self.sender)
        return match.group(1).lower() if match else None

    def is_from(self, domains: Sequence[str]) -> bool:
        domain = self.sender_domain
        if domain is None:
            return False
        return any(domain == d.lower() or domain.endswith("." + d.lower()) for d in domains)


@dataclass(frozen=True)
class _Line:
    start: int  # offset of the first character of the line
    end: int  # offset just past the line's content (its terminator excluded)
    next: int  # offset of the following line

    def text(self, source: str) -> str:
        return source[self.start : self.end].strip()


def is_flattened(text: str) -> bool:
    """Whether a tool flattened the e-mail, replacing its line breaks with asterisks."""
    return "\n" not in text.strip() and text.count("*") >= 2


def _logical_lines(text: str, flattened: bool | None = None) -> list[_Line]:
    """Lines of ``text``; in a flattened e-mail every asterisk is a line break."""
    if flattened is None:
        flattened = is_flattened(text)
    breaks = _FLAT_BREAKS if flattened else _LINE_BREAKS
    lines: list[_Line] = []
    start = 0
    for match in breaks.finditer(text):
        lines.append(_Line(start, match.start(), match.end()))
        start = match.end()
    lines.append(_Line(start, len(text), len(text)))
    return lines


def _header_block(text: str, lines: list[_Line], first: int) -> tuple[int, str] | None:
    """If an Outlook header block starts at line ``first``, return (its last line, sender)."""
    match = _HEADER_FIELD.match(lines[first].text(text))
    if not match or _FIELD_ROLE.get(match.group(1).lower()) != "from":
        return None
    sender = match.group(2).strip()
    roles = {"from"}
    previous = "from"
    for index in range(first + 1, min(len(lines), first + _MAX_HEADER_LINES)):
        line = lines[index].text(text)
        if not line:
            continue
        field = _HEADER_FIELD.match(line)
        if field:
            name = field.group(1).lower()
            role = _FIELD_ROLE.get(name, "recipients" if name in _RECIPIENT_ROLES else "other")
            if role == "from":
                return None
            if role == "subject":
                return (index, sender) if "sent" in roles else None
            roles.add(role)
            previous = role
            continue
        if previous == "recipients" and ("@" in line or ";" in line):
            continue  # a recipient list wrapped onto the next line
        return None
    return None


def _attribution(text: str, lines: list[_Line], index: int) -> tuple[int, str] | None:
    """If an attribution line (one or two lines) starts at ``index``, return (its last line, it)."""
    line = lines[index].text(text)
    if not _ATTRIBUTION_START.match(line):
        return None
    candidates = [(index, line)]
    if index + 1 < len(lines):
        candidates.append((index + 1, f"{line} {lines[index + 1].text(text)}"))
    for last, candidate in candidates:
        if _ATTRIBUTION.match(candidate) and re.search(r"\d|@", candidate):
            return last, candidate
    return None


def _next_content_line(text: str, lines: list[_Line], index: int) -> int:
    while index < len(lines) and not lines[index].text(text):
        index += 1
    return index


def _span(text: str, lines: list[_Line], first: int, stop: int) -> str:
    """Text of lines [first, stop) without the blank lines and terminators at either end."""
    content = [i for i in range(first, stop) if lines[i].text(text)]
    if not content:
        return ""
    return text[lines[content[0]].start : lines[content[-1]].end].strip()


def _dequote(text: str, flattened: bool) -> str:
    """Remove one level of ``>`` quoting when the quoted message starts quoted.

    Deciding on the first content line, not on a majority of lines, keeps working when a
    tool flattened the thread: a quoted alert that was one line before flattening is then
    many asterisk-separated pieces of which only the first carries the ``>``.
    """
    lines = _logical_lines(text, flattened)
    first = _next_content_line(text, lines, 0)
    if first == len(lines) or not lines[first].text(text).startswith(">"):
        return text
    pieces: list[str] = []
    for line in lines:
        pieces.append(_QUOTE_PREFIX.sub("", text[line.start : line.end]))
        pieces.append(text[line.end : line.next])
    return "".join(pieces)


def trim_message(text: str, flattened: bool | None = None) -> str:
    """A message's text without blank lines (or edge asterisk line breaks) around it.

    ``flattened`` says whether the whole Description was flattened with asterisks; by default
    ``text`` itself is examined.
    """
    if flattened is None:
        flattened = is_flattened(text)
    lines = _logical_lines(text, flattened)
    return _span(text, lines, 0, len(lines))


def has_forward(text: str) -> bool:
    """Whether ``text`` forwards another e-mail (everything below the marker belongs to it)."""
    return _FORWARD_MARKER.search(text) is not None


def split_messages(description: str, top_sender: str | None = None, flattened: bool | None = None) -> list[Message]:
    """Split a thread into its messages, newest first.

    Forwarded content stays inside the message that forwarded it. Empty messages (a forward
    with no comment, a description that starts with its own header) are kept as empty bodies
    so callers see the structure; :func:`first_client_email` skips them. ``flattened`` is
    decided once for the whole Description (by default, from ``description`` itself).
    """
    if flattened is None:
        flattened = is_flattened(description)
    lines = _logical_lines(description, flattened)
    if not _ANY_SEPARATOR_HINT.search(description):
        return [Message(_span(description, lines, 0, len(lines)), top_sender)]
    messages: list[Message] = []
    sender, first = top_sender, 0
    index = 0
    while index < len(lines):
        line = lines[index].text(description)
        if _FORWARD_MARKER.search(line):
            break  # everything below belongs to the forwarding message
        separator_end: int | None = None
        new_sender: str | None = None
        attribution = _attribution(description, lines, index)
        if attribution is not None:
            last, new_sender = attribution
            messages.append(Message(_span(description, lines, first, index), sender))
            older = _dequote(description[lines[last].next :], flattened)
            return messages + split_messages(older, top_sender=new_sender, flattened=flattened)
        if _REPLY_MARKER.match(line) or _UNDERSCORE_RULE.match(line):
            header_start = _next_content_line(description, lines, index + 1)
            header = _header_block(description, lines, header_start) if header_start < len(lines) else None
            if header is not None:
                separator_end, new_sender = header
            elif _REPLY_MARKER.match(line):
                separator_end = index
        else:
            header = _header_block(description, lines, index)
            if header is not None:
                separator_end, new_sender = header
        if separator_end is None:
            index += 1
            continue
        messages.append(Message(_span(description, lines, first, index), sender))
        sender, first = new_sender, separator_end + 1
        index = separator_end + 1
    messages.append(Message(_span(description, lines, first, len(lines)), sender))
    return messages


def first_client_email(description: str, support_domains: Sequence[str] = DEFAULT_SUPPORT_DOMAINS) -> str:
    """Return the oldest message of the thread that the client sent, with what it forwarded.

    ``support_domains`` are the support desk's e-mail domains (subdomains included); every other
    sender, and a message whose sender is unknown, is the client. When no client message is
    found, the newest non-empty message is returned so a ticket never loses its text.
    """
    messages = [m for m in split_messages(description) if m.body]
    if not messages:
        return ""
    for message in reversed(messages):
        if not message.is_from(support_domains):
            return message.body
    return messages[0].body


__all__ = [
    "DEFAULT_SUPPORT_DOMAINS",
    "Message",
    "first_client_email",
    "has_forward",
    "is_flattened",
    "split_messages",
    "trim_message",
]
