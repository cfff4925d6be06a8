"""The paper's preparation steps (section 5), each a pure function that counts what it drops."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from mail2ticket.data.prepare.config import CATEGORY, DESCRIPTION, REQUIRED_COLUMNS, TICKET, PrepareError, ShareBasis
from mail2ticket.data.threads import DEFAULT_SUPPORT_DOMAINS, first_client_email
from mail2ticket.taxonomy import UNKNOWN, Taxonomy

if TYPE_CHECKING:
    from mail2ticket.data.prepare.io import RawExport


@dataclass
class StepCount:
    step: str
    rows: int
    dropped: dict[str, int] = field(default_factory=dict)


def drop_incomplete_rows(raw: RawExport) -> tuple[pd.DataFrame, StepCount]:
    """Step 1: keep the rows whose four columns are all present, non-blank and decodable."""
    table = raw.table
    dropped: dict[str, int] = {}
    if raw.unparseable_rows:
        dropped["unparseable line"] = raw.unparseable_rows
    keep = pa.chunked_array([pa.array([True] * table.num_rows, type=pa.bool_())])
    for column in REQUIRED_COLUMNS:
        values = table.column(column)
        present = pc.fill_null(pc.not_equal(pc.utf8_trim_whitespace(values), ""), False)
        _count_newly_dropped(dropped, f"missing {column}", keep, present)
        keep = pc.and_(keep, present)
    decodable = pc.invert(
        pc.or_(
            pc.fill_null(pc.match_substring(table.column(DESCRIPTION), "\ufffd"), False),
            pc.fill_null(pc.match_substring(table.column(CATEGORY), "\ufffd"), False),
        )
    )
    _count_newly_dropped(dropped, "undecodable bytes", keep, decodable)
    keep = pc.and_(keep, decodable)
    frame = table.filter(keep).to_pandas()
    for column in (TICKET, CATEGORY):
        frame[column] = frame[column].str.strip()
    return frame, StepCount("rows with the four columns", len(frame), dropped)


def _count_newly_dropped(dropped: dict[str, int], reason: str, keep: Any, passes: Any) -> None:
    newly = pc.sum(pc.and_(keep, pc.invert(passes))).as_py() or 0
    if newly:
        dropped[reason] = int(newly)


def first_row_per_ticket(frame: pd.DataFrame) -> tuple[pd.DataFrame, StepCount]:
    """Step 2: the first row of each ticket is its creation; later rows are status updates."""
    first = frame.drop_duplicates(subset=TICKET, keep="first").reset_index(drop=True)
    return first, StepCount("first row per ticket", len(first), {"later status rows": len(frame) - len(first)})


def extract_first_emails(
    frame: pd.DataFrame, support_domains: Sequence[str] = DEFAULT_SUPPORT_DOMAINS
) -> tuple[pd.DataFrame, StepCount]:
    """Step 3: isolate the first client e-mail of each Description."""
    domains = tuple(support_domains)
    emails = [first_client_email(text, domains) for text in frame[DESCRIPTION].tolist()]
    out = frame.assign(email=emails)
    empty = out["email"].str.strip() == ""
    out = out[~empty].reset_index(drop=True)
    dropped = {"no client text": int(empty.sum())} if empty.any() else {}
    return out, StepCount("first client e-mail extracted", len(out), dropped)


def category_analysis(frame: pd.DataFrame) -> pd.DataFrame:
    """Step 4: tickets per category and share of all tickets, most frequent first."""
    counts = frame[CATEGORY].value_counts()
    total = int(counts.sum())
    analysis = pd.DataFrame({"category": counts.index.astype(str), "tickets": counts.to_numpy()})
    analysis["share"] = analysis["tickets"] / total if total else 0.0
    return analysis.reset_index(drop=True)


def validate_categories(names: Iterable[str], taxonomy: Taxonomy) -> list[str]:
    """Check a strategic list against the taxonomy; unknown names are a configuration error."""
    names = list(names)
    known = set(taxonomy.labels)
    unknown = [n for n in names if n not in known]
    if unknown:
        hints = []
        for name in unknown:
            close = difflib.get_close_matches(name, taxonomy.labels, n=1, cutoff=0.6)
            hints.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise PrepareError(
            f"strategic categories not in taxonomy {taxonomy.version}: {', '.join(hints)}; "
            f"known categories: {', '.join(taxonomy.labels)}"
        )
    if not names:
        raise PrepareError("the strategic category list is empty")
    return names


def select_categories(
    frame: pd.DataFrame,
    analysis: pd.DataFrame,
    strategic: Sequence[str],
    min_share: float,
    basis: ShareBasis = "largest",
) -> tuple[pd.DataFrame, StepCount, pd.DataFrame]:
    """Step 5: keep the strategic categories whose representativity reaches ``min_share``.

    Returns the kept tickets, the step count and the per-category decision table.
    """
    strategic_set = set(strategic)
    decisions = analysis[analysis["category"].isin(strategic_set)].copy()
    if basis == "tickets":
        denominator = int(analysis["tickets"].sum())
    elif basis == "strategic":
        denominator = int(decisions["tickets"].sum())
    else:
        denominator = int(decisions["tickets"].max()) if len(decisions) else 0
    decisions["representativity"] = decisions["tickets"] / denominator if denominator else 0.0
    decisions["kept"] = decisions["representativity"] >= min_share
    kept = set(decisions.loc[decisions["kept"], "category"])
    absent = sorted(strategic_set - set(decisions["category"]))
    if absent:
        missing = pd.DataFrame({"category": absent, "tickets": 0, "share": 0.0, "representativity": 0.0, "kept": False})
        decisions = pd.concat([decisions, missing], ignore_index=True)
    selected = frame[frame[CATEGORY].isin(kept)].reset_index(drop=True)
    dropped = {
        "not a strategic category": int((~frame[CATEGORY].isin(strategic_set)).sum()),
        f"strategic but under min_share {min_share:g} ({basis})": int(
            (frame[CATEGORY].isin(strategic_set) & ~frame[CATEGORY].isin(kept)).sum()
        ),
    }
    step = StepCount("strategic categories above min share", len(selected), {k: v for k, v in dropped.items() if v})
    return selected, step, decisions.reset_index(drop=True)


def add_unknown_class(
    frame: pd.DataFrame, selected: pd.DataFrame, share: float, seed: int
) -> tuple[pd.DataFrame, StepCount]:
    """Open set: add tickets of the categories not kept, relabelled ``unknown``, as ``share`` of the result.

    They are drawn in proportion to their source category (recorded in ``source_category``), so
    the ``unknown`` class looks like what production receives beside the kept categories.
    """
    if share <= 0.0:
        return selected, StepCount("unknown class (open set)", len(selected), {})
    pool = frame[~frame[TICKET].isin(selected[TICKET])]
    wanted = min(len(pool), round(len(selected) * share / (1.0 - share)))
    if wanted == 0:
        return selected, StepCount("unknown class (open set)", len(selected), {})
    counts = pool[CATEGORY].value_counts()
    quotas = counts * wanted / len(pool)
    take = quotas.astype(int)  # largest remainder: the quotas sum to exactly `wanted`
    for name in (quotas - take).sort_values(ascending=False, kind="stable").index[: wanted - int(take.sum())]:
        take[name] += 1
    drawn = pd.concat(
        [pool[pool[CATEGORY] == name].sample(n=int(n), random_state=seed) for name, n in take.items() if n]
    )
    unknown = drawn.assign(source_category=drawn[CATEGORY], **{CATEGORY: UNKNOWN})
    out = pd.concat([selected.assign(source_category=selected[CATEGORY]), unknown], ignore_index=True)
    return out, StepCount("unknown class (open set)", len(out), {})


def stratified_split(frame: pd.DataFrame, test_size: float, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Step 6: seeded stratified split; a category with a single ticket goes to train.

    Both parts come in a seeded random order, not the export's: a run on a budget takes the first
    rows of a split (``max_train_examples``, ``max_test_examples``), and in the export's order
    those are the earliest tickets of the kept categories, with the ``unknown`` class, appended
    after them, left out entirely.
    """
    from sklearn.model_selection import train_test_split

    counts = frame[CATEGORY].value_counts()
    singletons = frame[frame[CATEGORY].isin(counts[counts < 2].index)]
    rest = frame[~frame.index.isin(singletons.index)]
    if rest.empty:
        return frame.reset_index(drop=True), frame.iloc[0:0]
    n_classes = rest[CATEGORY].nunique()
    n_test = max(n_classes, round(len(rest) * test_size))
    if n_test >= len(rest):
        raise PrepareError(
            f"only {len(rest)} tickets left for {n_classes} categories: too few for a stratified "
            f"{1 - test_size:.0%}/{test_size:.0%} split"
        )
    train, test = train_test_split(rest, test_size=n_test, random_state=seed, stratify=rest[CATEGORY])
    train = pd.concat([train, singletons]).sample(frac=1.0, random_state=seed)
    return train.reset_index(drop=True), test.sample(frac=1.0, random_state=seed).reset_index(drop=True)


_EMAIL_ADDRESS = re.compile(r"\b[\w.+'-]+@[\w-]+(?:\.[\w-]+)+\b")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b")
_PHONE = re.compile(
    r"(?<![\w.:/\\-])(?:(?:\+|00)33[ .-]?\(?0?\)?[ .-]?[1-9]|0[1-9])(?:[ .-]?\d{2}){4}(?![\w:/\\-]|\.\d)"
)


def mask_pii(text: str) -> str:
    """Step 7: replace e-mail addresses, IBANs and French phone numbers with placeholders."""
    text = _EMAIL_ADDRESS.sub("<EMAIL>", text)
    text = _IBAN.sub("<IBAN>", text)
    return _PHONE.sub("<TELEPHONE>", text)
