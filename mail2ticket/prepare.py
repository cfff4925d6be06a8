"""The paper's data preparation (section 5), as pure functions plus one orchestrating call.

Steps, in the paper's order, each counted in the dataset card:

1. drop the rows that do not have the four columns (unparseable lines, missing or blank
   values, undecodable text): 175,813 → 154,414 rows in the paper;
2. keep the first row of each ticket (one row per status update): → 29,376 tickets;
3. extract the first client e-mail from the Description thread (:mod:`mail2ticket.threads`);
4. category analysis: counts, shares, a histogram;
5. keep the strategic categories whose share reaches ``min_share``: → 4,500 tickets;
6. stratified, seeded train/test split (80/20);
7. optional PII masking (e-mail addresses, phone numbers, IBANs).

A problem confined to one row drops that row and is counted; a problem with the whole input
(missing columns, empty file, wrong encoding, unknown category names) raises
:class:`PrepareError` with one message that names it.
"""

from __future__ import annotations

import difflib
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, Field

from mail2ticket.storage import StorageError, read_bytes, sha256_file
from mail2ticket.taxonomy import UNKNOWN, Taxonomy, load_taxonomy
from mail2ticket.threads import DEFAULT_SUPPORT_DOMAINS, first_client_email

TICKET = "Numéro de ticket"
DESCRIPTION = "Description"
CATEGORY = "Catégorie du ticket"
MESSAGE = "Message"
REQUIRED_COLUMNS: tuple[str, ...] = (TICKET, DESCRIPTION, CATEGORY, MESSAGE)

ShareBasis = Literal["largest", "tickets", "strategic"]


class PrepareError(ValueError):
    """The input as a whole cannot be prepared; the message says why."""


class PrepareConfig(BaseModel):
    """Parameters of the preparation, recorded in the dataset card."""

    model_config = ConfigDict(extra="forbid")

    strategic_categories: list[str] | None = Field(
        default=None,
        description="Categories worth automating (the paper's strategic list); every name must be "
        "in the taxonomy. None means every taxonomy category.",
    )
    min_share: float = Field(default=0.02, ge=0.0, le=1.0, description="Minimum representativity of a kept category.")
    share_basis: ShareBasis = Field(
        default="largest",
        description="What min_share is measured against: 'largest' (the most frequent strategic "
        "category; the only reading under which the paper's Table 1 passes its own 2 % rule), "
        "'tickets' (all tickets) or 'strategic' (tickets of the strategic categories).",
    )
    test_size: float = Field(default=0.2, gt=0.0, lt=1.0, description="Share of tickets in the test set.")
    seed: int = Field(default=42, description="Seed of the stratified split.")
    mask_pii: bool = Field(default=False, description="Mask e-mail addresses, phone numbers and IBANs.")
    support_domains: list[str] = Field(
        default_factory=lambda: list(DEFAULT_SUPPORT_DOMAINS),
        description="E-mail domains of the support desk; their messages are not the client's.",
    )
    encoding: str = Field(default="utf-8", description="Text encoding of a CSV export.")


# --------------------------------------------------------------------------------------------
# Reading


@dataclass
class RawExport:
    """The export as read: a table of the four columns as strings, plus unparseable rows."""

    table: pa.Table
    unparseable_rows: int
    undecodable_rows: int = 0

    @property
    def raw_rows(self) -> int:
        return self.table.num_rows + self.unparseable_rows


def _check_columns(found: Sequence[str], source: str) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in found]
    if not missing:
        return
    hints = []
    for column in missing:
        close = difflib.get_close_matches(column, list(found), n=1, cutoff=0.6)
        hints.append(f"{column!r}" + (f" (found {close[0]!r}: renamed?)" if close else ""))
    raise PrepareError(
        f"{source}: missing column(s) {', '.join(hints)}; the export must have the columns "
        f"{', '.join(repr(c) for c in REQUIRED_COLUMNS)}; found {', '.join(repr(c) for c in found)}"
    )


def _decode_check(data: bytes, encoding: str, source: str) -> tuple[bytes, int]:
    """Return UTF-8 bytes for pyarrow and how many lines held undecodable bytes.

    A few bad bytes are a row problem (those rows are dropped later: they keep a U+FFFD
    marker); a file where many lines fail is in another encoding, which is a file problem.
    """
    if encoding.lower().replace("_", "-") not in ("utf-8", "utf8", "utf-8-sig"):
        try:
            return data.decode(encoding).encode("utf-8"), 0
        except (UnicodeDecodeError, LookupError) as exc:
            raise PrepareError(f"{source}: cannot decode as {encoding}: {exc}") from None
    try:
        data.decode("utf-8")
        return data, 0
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    bad = 0
    for line in lines:
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad += 1
    if bad > max(1, len(lines) // 100):
        guess = "latin-1/cp1252" if _looks_latin1(data) else "not UTF-8"
        raise PrepareError(
            f"{source}: the file is not UTF-8 ({bad} of {len(lines)} lines fail to decode; it looks "
            f"like {guess}); re-export it as UTF-8 or pass encoding='latin-1'"
        )
    return data.decode("utf-8", errors="replace").encode("utf-8"), bad


def _looks_latin1(data: bytes) -> bool:
    accented = sum(data.count(bytes([b])) for b in (0xE9, 0xE8, 0xE0, 0xE7, 0xEA))
    return accented > 0


def _sniff_delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (";", ",", "\t", "|")}
    return max(counts, key=lambda d: counts[d])


def read_export(uri: str | Path, encoding: str = "utf-8") -> RawExport:
    """Read a CSV or Parquet export (local path or s3:// URI) into a string table."""
    source = str(uri)
    try:
        data = read_bytes(source)
    except StorageError as exc:
        raise PrepareError(str(exc)) from None
    if not data.strip():
        raise PrepareError(f"{source}: the file is empty")
    if data[:4] == b"PAR1" or source.lower().endswith(".parquet"):
        return _read_parquet(data, source)
    return _read_csv(data, source, encoding)


def _read_parquet(data: bytes, source: str) -> RawExport:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(pa.BufferReader(data))
    except (pa.ArrowInvalid, OSError) as exc:
        raise PrepareError(f"{source}: not a readable Parquet file: {exc}") from None
    _check_columns(table.column_names, source)
    columns = [table.column(c).cast(pa.string()) for c in REQUIRED_COLUMNS]
    return RawExport(pa.table(dict(zip(REQUIRED_COLUMNS, columns, strict=True))), 0)


def _read_csv(data: bytes, source: str, encoding: str) -> RawExport:
    import pyarrow.csv as pacsv

    data, undecodable = _decode_check(data, encoding, source)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    header_line = data.split(b"\n", 1)[0].decode("utf-8", errors="replace").strip("\r")
    delimiter = _sniff_delimiter(header_line)
    found = list(pd.read_csv(io.StringIO(header_line), sep=delimiter, nrows=0).columns)
    _check_columns([c.strip() for c in found], source)
    unparseable = 0

    def skip_invalid(_row: Any) -> str:
        nonlocal unparseable
        unparseable += 1
        return "skip"

    try:
        table = pacsv.read_csv(
            pa.BufferReader(data),
            read_options=pacsv.ReadOptions(block_size=1 << 24),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, invalid_row_handler=skip_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in found},
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        raise PrepareError(f"{source}: not a readable CSV export: {exc}") from None
    table = table.rename_columns([c.strip() for c in table.column_names]).select(list(REQUIRED_COLUMNS))
    return RawExport(table, unparseable, undecodable)


# --------------------------------------------------------------------------------------------
# Steps


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


def stratified_split(frame: pd.DataFrame, test_size: float, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Step 6: seeded stratified split; a category with a single ticket goes to train."""
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
    train = pd.concat([train, singletons]).sort_index()
    return train.reset_index(drop=True), test.sort_index().reset_index(drop=True)


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


# --------------------------------------------------------------------------------------------
# Ground truth and outputs


def read_ground_truth(uri: str | Path) -> dict[str, dict[str, Any]]:
    """Read the generator's companion file (JSON lines keyed by ``ticket_id``)."""
    try:
        data = read_bytes(str(uri))
    except StorageError as exc:
        raise PrepareError(str(exc)) from None
    truth: dict[str, dict[str, Any]] = {}
    for number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            truth[str(record["ticket_id"])] = record
        except (json.JSONDecodeError, KeyError, TypeError):
            raise PrepareError(f"{uri}: line {number} is not a ground-truth record") from None
    return truth


def to_records(
    frame: pd.DataFrame, truth: dict[str, dict[str, Any]] | None = None, mask: bool = False
) -> list[dict[str, Any]]:
    """Rows of the train/test JSONL files."""
    records = []
    for ticket, category, email in zip(frame[TICKET], frame[CATEGORY], frame["email"], strict=True):
        known = (truth or {}).get(ticket, {})
        record: dict[str, Any] = {
            "email": mask_pii(email) if mask else email,
            "category": category,
            "ticket_id": ticket,
            "fields": known.get("fields", {}),
        }
        if known.get("received_at"):
            record["received_at"] = known["received_at"]
        records.append(record)
    return records


def write_jsonl(records: Iterable[dict[str, Any]], path: str | Path) -> int:
    count = 0
    with open(path, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


def plot_histogram(analysis: pd.DataFrame, kept: Iterable[str], path: str | Path, top: int = 30) -> None:
    """Horizontal bar chart of the most frequent categories; kept ones highlighted."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kept = set(kept)
    head = analysis.head(top).iloc[::-1]
    others = int(analysis["tickets"].iloc[top:].sum())
    labels = [_shorten(c) for c in head["category"]]
    values = head["tickets"].tolist()
    colours = ["#1f77b4" if c in kept else "#b0b0b0" for c in head["category"]]
    if others:
        labels.insert(0, f"{len(analysis) - top} other categories")
        values.insert(0, others)
        colours.insert(0, "#e0e0e0")
    fig, ax = plt.subplots(figsize=(11, max(4, 0.32 * len(labels) + 1.5)))
    ax.barh(labels, values, color=colours)
    ax.set_xlabel("tickets")
    ax.set_title(
        f"Tickets per category ({int(analysis['tickets'].sum())} tickets, {len(analysis)} categories; kept in blue)"
    )
    ax.tick_params(axis="y", labelsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _shorten(name: str, width: int = 70) -> str:
    return name if len(name) <= width else "…" + name[-(width - 1) :]


# --------------------------------------------------------------------------------------------
# Orchestration


@dataclass
class PrepareResult:
    card: dict[str, Any]
    train_path: Path
    test_path: Path
    histogram_path: Path


def prepare_dataset(
    input_uri: str | Path,
    out_dir: str | Path,
    config: PrepareConfig | None = None,
    ground_truth_uri: str | Path | None = None,
    taxonomy: Taxonomy | None = None,
) -> PrepareResult:
    """Run every step and write ``train.jsonl``, ``test.jsonl``, ``categories.png``, ``dataset_card.json``."""
    config = config or PrepareConfig()
    taxonomy = taxonomy or load_taxonomy()
    strategic = validate_categories(
        config.strategic_categories if config.strategic_categories is not None else taxonomy.labels,
        taxonomy,
    )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    truth = read_ground_truth(ground_truth_uri) if ground_truth_uri else None

    raw = read_export(input_uri, config.encoding)
    if raw.raw_rows == 0:
        raise PrepareError(f"{input_uri}: the export has a header but no rows")
    steps = [StepCount("raw rows", raw.raw_rows)]
    frame, step = drop_incomplete_rows(raw)
    steps.append(step)
    frame, step = first_row_per_ticket(frame)
    steps.append(step)
    frame, step = extract_first_emails(frame, config.support_domains)
    steps.append(step)
    analysis = category_analysis(frame)
    selected, step, decisions = select_categories(frame, analysis, strategic, config.min_share, config.share_basis)
    steps.append(step)
    if selected.empty:
        raise PrepareError(
            f"{input_uri}: no ticket left after selection: none of the strategic categories reaches "
            f"min_share={config.min_share:g} ({config.share_basis}); categories found: "
            + ", ".join(analysis["category"].head(10))
        )
    train, test = stratified_split(selected, config.test_size, config.seed)

    train_path, test_path = out / "train.jsonl", out / "test.jsonl"
    histogram_path = out / "categories.png"
    write_jsonl(to_records(train, truth, config.mask_pii), train_path)
    write_jsonl(to_records(test, truth, config.mask_pii), test_path)
    plot_histogram(analysis, decisions.loc[decisions["kept"], "category"], histogram_path)

    card = build_card(
        input_uri, config, taxonomy, steps, analysis, decisions, train, test,
        {"train.jsonl": train_path, "test.jsonl": test_path, "categories.png": histogram_path},
        truth is not None,
    )  # fmt: skip
    (out / "dataset_card.json").write_text(json.dumps(card, ensure_ascii=False, indent=2), encoding="utf-8")
    return PrepareResult(card, train_path, test_path, histogram_path)


def build_card(
    input_uri: str | Path,
    config: PrepareConfig,
    taxonomy: Taxonomy,
    steps: list[StepCount],
    analysis: pd.DataFrame,
    decisions: pd.DataFrame,
    train: pd.DataFrame,
    test: pd.DataFrame,
    outputs: dict[str, Path],
    with_ground_truth: bool,
) -> dict[str, Any]:
    """The dataset card: what was done, with which parameters, and what came out."""
    train_counts = train[CATEGORY].value_counts()
    test_counts = test[CATEGORY].value_counts()
    kept = decisions[decisions["kept"]].sort_values("tickets", ascending=False)
    return {
        "input": str(input_uri),
        "taxonomy_version": taxonomy.version,
        "parameters": config.model_dump(),
        "steps": [{"step": s.step, "rows": s.rows, "dropped": s.dropped} for s in steps],
        "categories_found": len(analysis),
        "categories_under_5_tickets": int((analysis["tickets"] < 5).sum()),
        "largest_category": {
            "category": str(analysis["category"].iloc[0]),
            "tickets": int(analysis["tickets"].iloc[0]),
        }
        if len(analysis)
        else None,
        "selection": [
            {
                "category": row.category,
                "tickets": int(row.tickets),
                "share": round(float(row.share), 6),
                "representativity": round(float(row.representativity), 6),
                "kept": bool(row.kept),
            }
            for row in decisions.sort_values("tickets", ascending=False).itertuples()
        ],
        "classes": [
            {
                "category": name,
                "train": int(train_counts.get(name, 0)),
                "test": int(test_counts.get(name, 0)),
            }
            for name in kept["category"]
        ],
        "unknown_label": UNKNOWN,
        "ground_truth_fields": with_ground_truth,
        "outputs": {
            name: {"sha256": sha256_file(path), "bytes": path.stat().st_size} for name, path in outputs.items()
        },
        "train_rows": len(train),
        "test_rows": len(test),
    }


def render_card(card: dict[str, Any]) -> str:
    """Markdown view of a dataset card (printed by the demo, shown in the KFP UI)."""
    lines = ["# Dataset card", "", f"Input: `{card['input']}` — taxonomy {card['taxonomy_version']}", ""]
    lines += ["## Rows after each step", "", "| step | rows | dropped |", "|---|---:|---|"]
    for step in card["steps"]:
        dropped = ", ".join(f"{k}: {v:,}" for k, v in step["dropped"].items()) or "—"
        lines.append(f"| {step['step']} | {step['rows']:,} | {dropped} |")
    lines += [
        "",
        f"{card['categories_found']} categories found, {card['categories_under_5_tickets']} with fewer than 5 tickets.",
        "",
    ]
    lines += ["## Classes", "", "| category | train | test |", "|---|---:|---:|"]
    for row in card["classes"]:
        lines.append(f"| {row['category']} | {row['train']:,} | {row['test']:,} |")
    lines.append(f"| **total** | {card['train_rows']:,} | {card['test_rows']:,} |")
    dropped = [s for s in card["selection"] if not s["kept"]]
    if dropped:
        lines += [
            "",
            "Strategic categories left out (under min_share): "
            + ", ".join(f"{s['category']} ({s['tickets']})" for s in dropped),
        ]
    lines += ["", "## Outputs", ""]
    for name, meta in card["outputs"].items():
        lines.append(f"- `{name}` sha256 `{meta['sha256']}` ({meta['bytes']:,} bytes)")
    params = card["parameters"]
    lines += ["", "## Parameters", "", "```json", json.dumps(params, ensure_ascii=False, indent=2), "```"]
    return "\n".join(lines) + "\n"
