"""Split a ticket Description into e-mail messages and isolate the first client e-mail.

A Description is what the ticketing tool stored for a ticket created from an e-mail: often a
whole thread, newest message on top, older messages quoted below by Outlook (FR/EN header
blocks, ``-----Message d'origine-----``, a line of underscores), Thunderbird/Gmail/Apple Mail
(``Le … a écrit :`` / ``On … wrote:`` with ``>`` quoting) or forwarded (``Début du message
transféré``, ``---------- Forwarded message ---------``). Some tools flattened the text and
replaced line breaks with asterisks; the separators then sit in the middle of one long line.
Outlook writes a forward exactly like a reply (``-----Message d'origine-----`` or a line of
underscores, then a header block), so a forward is told from a reply by who wrote the older
message, not by its marker.

Why not a reply-parsing library: ``email_reply_parser`` handles English attributions only,
``talon`` is unmaintained and pins old dependencies, and ``mail-parser-reply`` (the best kept,
with French support) anchors every pattern at real line starts, strips signatures and
disclaimers (which we keep: they carry company names and context), and does not tell a reply
from a forward or report who sent each message. All three return the *latest* reply, while we
need the *oldest message the client sent*, with what it forwarded. The rules below are small,
explicit and tested on hand-written threads.

The rules:

* A Description is flattened only when there is evidence of it: it is one line, and cutting it
  at its asterisks puts a separator (below) at the start of a piece. Asterisks alone prove
  nothing: ``***** Nagios *****`` or a trailing ``*`` in a real e-mail are content, so a
  Description holding a single message comes back as it is, surrounding whitespace aside.
* Reply separators start an older message: an Outlook header block (``De :``/``From:``, then
  ``Envoyé :``/``Sent:``/``Date :``, ``À :``/``To:``, ``Cc :``, up to ``Objet :``/``Subject:``),
  optionally preceded by ``-----Message d'origine-----`` / ``-----Original Message-----`` /
  ``-------- Message d'origine --------`` or a line of underscores; those marker lines alone,
  with the header lines that follow them in any order (Thunderbird, Roundcube) dropped too;
  an attribution line ``Le …, X <x@y> a écrit :`` / ``On …, X wrote:`` (possibly wrapped onto
  two lines), after which one level of ``>`` quoting is removed.
* A message is from the support desk when its sender's domain is (a subdomain of) one of
  ``support_domains``; a message without a known sender (the top one) counts as the client's.
* What the client passes on belongs to the client's message, kept as it is (markers, forwarded
  header lines and ``>`` quoting included), so the client's own request travels with the report
  it is about:

  - a forward marker keeps everything below it inside the client message that forwards it;
  - a reply separator naming an automatic sender (a monitoring or backup tool, a no-reply
    address: see :func:`is_automatic`) outside the desk, found below a client message that has
    text of its own, is a forward too: Outlook forwards that way, and a tool's report is not
    an e-mail the client wrote. A person's message below stays a reply (a colleague's request
    passed on is that colleague's e-mail). A notification forwarded with no note stays a
    message of its own (it is all the client sent); one from the desk (an acknowledgement)
    stays a message of the thread, which the client answers: gluing it to the client's
    follow-up would bury the client's request below it.

* The desk passing a client's e-mail on is the other way round, since the request is the
  client's and the desk's "pour traitement" adds nothing to it: below a forward marker in a
  message from the desk, the forwarded e-mail is a message of its own, its sender taken from
  its header lines, which are dropped with the desk's words. This needs the desk's message to
  name its sender (a header block or attribution): a top message without one is the client's.
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
    r"^(De|From|Envoy[ée]|Sent|Date|[ÀA]|To|Pour|Cc|Copie [àa]|Cci|Bcc|Objet|Subject|Sujet|Importance)\s?:(.*)$",
    re.IGNORECASE,
)
_FIELD_ROLE = {
    "de": "from", "from": "from",
    "envoyé": "sent", "envoye": "sent", "sent": "sent", "date": "sent",
    "objet": "subject", "subject": "subject", "sujet": "subject",
}  # fmt: skip
_RECIPIENT_ROLES = {"à", "a", "to", "pour", "cc", "copie à", "copie a", "cci", "bcc"}

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

#: Senders that are tools, not people: no-reply addresses, monitoring and backup software, and
#: the words such mailboxes are named with. Searched in the sender's name and local part only
#: (a company domain such as ``alert-securite.fr`` says nothing about who wrote).
_AUTOMATIC_SENDER = re.compile(
    r"no[-_.]?reply|do[-_.]?not[-_.]?reply|ne[-_.]?pas[-_.]?r[ée]pondre|mailer[-_.]?daemon|postmaster"
    r"|veeam|centreon|nagios|zabbix|icinga|prtg|netbackup|opscenter|commvault|acronis|arcserve|backup ?exec"
    r"|alert|alarm|monitor|supervision|notif|report|rapport|backup|sauvegarde|automat|robot",
    re.IGNORECASE,
)
_AT_DOMAIN = re.compile(r"@[\w.-]+")

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
        return _domain(self.sender)

    def is_from(self, domains: Sequence[str]) -> bool:
        return _is_from(self.sender, domains)


def is_attribution(line: str) -> bool:
    """A reply's attribution line (``Le … a écrit :`` / ``On … wrote:``): quoted text follows."""
    return bool(_ATTRIBUTION.match(line.strip()))


def is_header_field(line: str) -> bool:
    """A header line of a forwarded or replied-to message (``De :``, ``Objet :``, ``To:``…)."""
    return bool(_HEADER_FIELD.match(line.strip()))


def is_separator_line(line: str) -> bool:
    """A line that starts another message of a thread, read alone: a reply or forward marker, an
    underscore rule, an attribution, or a sender header (``De : … @…``).

    :func:`split_messages` decides with the lines around it too; this is for readers that only
    need a message's end (the alert parsers cut a notification there).
    """
    line = line.strip()
    if _REPLY_MARKER.match(line) or _UNDERSCORE_RULE.match(line) or _FORWARD_MARKER.match(line):
        return True
    if _ATTRIBUTION.match(line):
        return True
    field = _HEADER_FIELD.match(line)
    return bool(field) and _FIELD_ROLE.get(field.group(1).casefold()) == "from" and "@" in field.group(2)


def _domain(sender: str | None) -> str | None:
    match = _EMAIL.search(sender) if sender else None
    return match.group(1).lower() if match else None


def _is_from(sender: str | None, domains: Sequence[str]) -> bool:
    """Whether ``sender``'s address is at one of ``domains`` (subdomains included)."""
    domain = _domain(sender)
    if domain is None:
        return False
    return any(domain == d.lower() or domain.endswith("." + d.lower()) for d in domains)


def is_automatic(sender: str | None) -> bool:
    """Whether a sender (name and/or address, or an attribution line) is a tool, not a person."""
    if not sender:
        return False
    return _AUTOMATIC_SENDER.search(_AT_DOMAIN.sub("", sender)) is not None


@dataclass(frozen=True)
class _Line:
    start: int  # offset of the first character of the line
    end: int  # offset just past the line's content (its terminator excluded)
    next: int  # offset of the following line

    def text(self, source: str) -> str:
        return source[self.start : self.end].strip()


def is_flattened(text: str) -> bool:
    """Whether a tool flattened the text, replacing its line breaks with asterisks.

    Only on evidence: the text is one line and, cut at its asterisks, one of its pieces starts a
    separator (a header block, an attribution, a reply or forward marker). Asterisks alone are
    content: banners (``***** Nagios *****``), emphasis, a footnote mark.
    """
    text = text.strip()
    if "\n" in text or text.count("*") < 2 or not _ANY_SEPARATOR_HINT.search(text):
        return False
    lines = _logical_lines(text, flattened=True)
    return any(_starts_separator(text, lines, index) for index in range(len(lines)))


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


def _starts_separator(text: str, lines: list[_Line], index: int) -> bool:
    line = lines[index].text(text)
    return bool(
        _FORWARD_MARKER.search(line)
        or _REPLY_MARKER.match(line)
        or _header_block(text, lines, index)
        or _attribution(text, lines, index)
    )


def _forwarded_header(text: str, lines: list[_Line], first: int = 0) -> tuple[int, str | None]:
    """The header lines of an e-mail from line ``first`` on: (the line after them, its sender).

    Below a forward marker, or a reply marker without an Outlook header block, mail clients
    write them in any order (Gmail: De, Date, Subject, To; Apple Mail: De, Objet, Date, À;
    Thunderbird and Roundcube: Sujet, Date, De, Pour), so any run of header fields is taken.
    """
    index = _next_content_line(text, lines, first)
    sender: str | None = None
    previous = ""
    while index < len(lines):
        line = lines[index].text(text)
        field = _HEADER_FIELD.match(line)
        if field:
            name = field.group(1).lower()
            previous = "recipients" if name in _RECIPIENT_ROLES else _FIELD_ROLE.get(name, "other")
            if previous == "from" and sender is None:
                sender = field.group(2).strip()
        elif not (previous == "recipients" and ("@" in line or ";" in line)):
            break  # a blank line or the body: a wrapped recipient list is the only continuation
        index += 1
    return index, sender


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


def split_messages(
    description: str,
    top_sender: str | None = None,
    flattened: bool | None = None,
    support_domains: Sequence[str] = DEFAULT_SUPPORT_DOMAINS,
) -> list[Message]:
    """Split a thread into its messages, newest first.

    What a client forwards stays inside the client's message; what the desk forwards is a
    message of its own (see the module's rules). Empty messages (a forward with no comment, a
    description that starts with its own header) are kept as empty bodies so callers see the
    structure; :func:`first_client_email` skips them. ``flattened`` is decided once for the
    whole Description (by default, from ``description`` itself).
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
            if not _is_from(sender, support_domains):
                break  # the client forwards: everything below belongs to the forwarding message
            # The desk passes a client's e-mail on: it is a message of its own, header lines dropped.
            messages.append(Message(_span(description, lines, first, index), sender))
            forwarded = _dequote(description[lines[index].next :], flattened)
            forwarded_lines = _logical_lines(forwarded, flattened)
            body, forwarded_sender = _forwarded_header(forwarded, forwarded_lines)
            rest = forwarded[forwarded_lines[body].start :] if body < len(forwarded_lines) else ""
            return messages + split_messages(rest, forwarded_sender, flattened, support_domains)
        separator_end: int | None = None
        new_sender: str | None = None
        attribution = _attribution(description, lines, index)
        if attribution is not None:
            last, new_sender = attribution
            note = _span(description, lines, first, index)
            if _forwards(sender, note, new_sender, support_domains):
                break
            older = _dequote(description[lines[last].next :], flattened)
            return [*messages, Message(note, sender), *split_messages(older, new_sender, flattened, support_domains)]
        if _REPLY_MARKER.match(line) or _UNDERSCORE_RULE.match(line):
            header_start = _next_content_line(description, lines, index + 1)
            header = _header_block(description, lines, header_start) if header_start < len(lines) else None
            if header is not None:
                separator_end, new_sender = header
            elif _REPLY_MARKER.match(line):
                body, new_sender = _forwarded_header(description, lines, index + 1)
                separator_end = body - 1
        else:
            header = _header_block(description, lines, index)
            if header is not None:
                separator_end, new_sender = header
        if separator_end is None:
            index += 1
            continue
        note = _span(description, lines, first, index)
        if _forwards(sender, note, new_sender, support_domains):
            break
        messages.append(Message(note, sender))
        sender, first = new_sender, separator_end + 1
        index = separator_end + 1
    messages.append(Message(_span(description, lines, first, len(lines)), sender))
    return messages


def _forwards(sender: str | None, note: str, older_sender: str | None, support_domains: Sequence[str]) -> bool:
    """Whether a message (its ``sender``, its text ``note``) forwards the older one below it.

    Behind a reply separator, it does when it is a client's message with text of its own and
    the older one is a tool's notification from outside the desk (Outlook forwards that way).
    """
    return (
        bool(note)
        and is_automatic(older_sender)
        and not _is_from(older_sender, support_domains)
        and not _is_from(sender, support_domains)
    )


def first_client_email(description: str, support_domains: Sequence[str] = DEFAULT_SUPPORT_DOMAINS) -> str:
    """Return the oldest message of the thread that the client sent, with what it forwarded.

    When the desk forwarded the client's e-mail, that e-mail alone is returned, without the
    desk's words or the forwarded header lines. ``support_domains`` are the support desk's
    e-mail domains (subdomains included); every other sender, and a message whose sender is
    unknown, is the client. When no client message is found, the newest non-empty message is
    returned so a ticket never loses its text.
    """
    messages = [m for m in split_messages(description, support_domains=support_domains) if m.body]
    if not messages:
        return ""
    for message in reversed(messages):
        if not message.is_from(support_domains):
            return message.body
    return messages[0].body


def classified_text(description: str, support_domains: Sequence[str] = DEFAULT_SUPPORT_DOMAINS) -> str:
    """What the classifier reads: the first client e-mail, else (no client text found) the whole text.

    Serving and the evaluation of raw Descriptions both go through here, so they read the same text.
    """
    return first_client_email(description, support_domains).strip() or description.strip()


__all__ = [
    "DEFAULT_SUPPORT_DOMAINS",
    "Message",
    "classified_text",
    "first_client_email",
    "has_forward",
    "is_attribution",
    "is_automatic",
    "is_flattened",
    "is_header_field",
    "is_separator_line",
    "split_messages",
    "trim_message",
]
