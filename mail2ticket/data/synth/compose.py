"""Turn a writer's `Draft` into the `ClientEmail` the desk receives.

Greeting, opener, request, extra line, closing, signature, footer, forwarded block are
drawn independently, then human-typed parts get register-dependent noise (typos, no
accents, SMS spelling, lower case, sloppy punctuation) while ground-truth strings stay
verbatim. A few e-mails are flattened with asterisks, as the old ticket tool did.
"""

from __future__ import annotations

from .frame import SUBJECT_PREFIXES, banner, closing, extra, footer, greeting, opener, signature
from .infra import random_person_name
from .model import ClientEmail, Ctx, Draft
from .noise import casual_punctuation, drop_accents, flatten_asterisks, may_lower_first, protect, restore, sms, typos

# register: (typo rates, p(no accents), p(lower case), p(sms spelling), p(sloppy punctuation))
_NOISE: dict[str, tuple[tuple[float, ...], float, float, float, float]] = {
    "formal": ((0.0, 0.0, 0.0, 0.005), 0.02, 0.0, 0.0, 0.03),
    "neutral": ((0.0, 0.0, 0.005, 0.01, 0.02), 0.08, 0.02, 0.06, 0.15),
    "informal": ((0.0, 0.01, 0.02, 0.04), 0.35, 0.15, 0.6, 0.5),
    "phone": ((0.01, 0.02, 0.03, 0.05), 0.45, 0.2, 0.5, 0.6),
    "english": ((0.0, 0.0, 0.01), 0.0, 0.03, 0.0, 0.1),
    "bare": ((0.0, 0.0, 0.005), 0.1, 0.0, 0.0, 0.0),
}
_GREET_P = {"formal": 0.97, "neutral": 0.93, "informal": 0.8, "phone": 0.55, "english": 0.9, "bare": 0.35}
_CLOSE_P = {"formal": 0.97, "neutral": 0.88, "informal": 0.7, "phone": 0.5, "english": 0.9, "bare": 0.3}
_SIGN_P = {"formal": 0.98, "neutral": 0.9, "informal": 0.75, "phone": 0.5, "english": 0.9, "bare": 0.5}
_FWD_PREFIXES = ("TR: ", "TR : ", "Fwd: ", "FW: ", "Tr : ", "TR: ", "Fw: ")


def _protected_values(d: Draft) -> list[str]:
    vals = list(d.protected)
    for v in d.fields.values():
        if isinstance(v, str):
            vals.append(v)
        elif isinstance(v, list):
            vals.extend(x for x in v if isinstance(x, str))
    return vals


def _human_part(d: Draft, ctx: Ctx, reg: str) -> tuple[str, bool]:
    rng = ctx.rng
    a, b = random_person_name(rng)
    colleague = f"{a} {b}" if rng.random() < 0.6 else a
    head: list[str] = []
    if d.greet and rng.random() < _GREET_P.get(reg, 0.9):
        g = greeting(reg, rng, ctx.sender, colleague, ctx.sent_at.hour)
        if g:
            head.append(g)
    if d.extras and reg not in {"bare", "phone"} and rng.random() < 0.14:
        o = opener(reg, rng, ctx.sender, colleague)
        if o:
            head.append(o)
    text = d.text.strip("\n")
    if head:
        r = rng.random()
        if len(head) == 1 and r < 0.12 and reg in {"informal", "phone", "neutral"}:
            first = text[:1].lower() + text[1:] if may_lower_first(text, d.protected) else text
            body = head[0].rstrip(",") + ", " + first
        elif r < 0.3:
            body = "\n".join(head) + "\n" + text
        else:
            body = "\n\n".join(head) + "\n\n" + text
    else:
        body = text
    if d.extras and reg != "bare" and rng.random() < 0.22:
        e = extra(reg, rng, ctx.sender, colleague)
        if e:
            body += "\n\n" + e
    if rng.random() < _CLOSE_P.get(reg, 0.8):
        c = closing(reg if reg != "bare" else "neutral", rng, ctx.sent_at.weekday() == 4, ctx.sent_at.hour)
        if c and c.lower().strip(",.!: ") not in body[-60:].lower():
            body += ("\n\n" if rng.random() < 0.7 else "\n") + c
    prof = _NOISE.get(reg, _NOISE["neutral"])
    protected = _protected_values(d)
    body, kept = protect(body, protected)
    no_accents = rng.random() < prof[1]
    if no_accents:
        body = drop_accents(body)
    if rng.random() < prof[3]:
        body = sms(body, rng, 0.6)
    rate = rng.choice(prof[0])
    body = typos(body, rng, rate)
    if rng.random() < prof[4]:
        body = casual_punctuation(body, rng)
    if rng.random() < prof[2]:
        body = body.lower()
    return restore(body, kept), no_accents


def _sender_display(ctx: Ctx) -> str:
    s = ctx.sender
    r = ctx.rng.random()
    if r < 0.78:
        return f"{s.first_name} {s.last_name}"
    if r < 0.93:
        return f"{s.last_name.upper()} {s.first_name}"
    return s.email.split("@")[0]


def _subject(d: Draft, ctx: Ctx, no_accents: bool, reg: str) -> str:
    rng = ctx.rng
    subj = d.subject
    if d.forward and rng.random() < 0.85:
        subj = rng.choice(_FWD_PREFIXES) + subj
    elif rng.random() < 0.09:
        subj = rng.choice(SUBJECT_PREFIXES) + subj
    if no_accents and rng.random() < 0.6:
        subj = drop_accents(subj)
    if reg in {"informal", "phone"} and rng.random() < 0.3:
        subj = subj.lower()
    if rng.random() < 0.012:
        subj = ""
    return subj


def compose(d: Draft, ctx: Ctx, key: str) -> ClientEmail:
    """Dress a draft up as a received e-mail and record its writer family in `style`."""
    rng = ctx.rng
    style = f"{key}/{d.family}"
    if d.automatic:
        body = d.machine
        if rng.random() < 0.03:
            body = flatten_asterisks(body, rng)
        return ClientEmail(
            body=body,
            subject=d.subject,
            fields=dict(d.fields),
            sender_name=d.sender_name or "",
            sender_email=d.sender_email or "",
            automatic=True,
            style=style,
        )
    reg = d.register
    body, no_accents = _human_part(d, ctx, reg)
    if d.sign and rng.random() < _SIGN_P.get(reg, 0.8):
        sig = signature(ctx.sender, ctx.company, reg, rng, ctx.faker)
        if sig:
            body += ("\n" if rng.random() < 0.6 else "\n\n") + sig
    foot = footer(ctx.company, reg, rng)
    if foot:
        body += "\n\n" + foot
    if d.machine:
        body += "\n\n" + d.machine
    if rng.random() < 0.04:
        body = banner(ctx.sender, rng) + "\n\n" + body
    if rng.random() < 0.05:
        body = flatten_asterisks(body, rng)
    return ClientEmail(
        body=body,
        subject=_subject(d, ctx, no_accents, reg),
        fields=dict(d.fields),
        sender_name=d.sender_name or _sender_display(ctx),
        sender_email=d.sender_email or ctx.sender.email,
        automatic=False,
        style=style,
    )
