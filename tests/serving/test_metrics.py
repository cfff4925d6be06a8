"""The Prometheus metrics of the running app, read over HTTP from Ray's metrics endpoint.

The session's Serve app runs with ``--metrics-port`` and ``RAY_metrics_report_interval_ms=1000``
(conftest.py): every replica sends what it recorded to Ray's metrics agent each second, and the
agent serves it at ``served.server.metrics_url`` in the Prometheus text format. Tickets are
posted to the main app (the cascade, with extraction) and to the ``llm`` app (the LLM alone,
every ticket needs review); each metric must then have moved by exactly what the answers say.
The metric names come from serving/metrics.py (what the chart's dashboard queries too).
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest

from mail2ticket.taxonomy import UNKNOWN
from serving.metrics import (
    ADAPTER_INFO,
    CONFIDENCE,
    CONFIDENCE_BUCKETS,
    ENGINE_BATCH_SIZE,
    ENGINE_REQUESTS,
    LATENCY_BUCKETS,
    METRICS,
    NEEDS_REVIEW,
    STAGE_LATENCY,
    TICKETS,
    UNKNOWN_CATEGORY,
    AdapterInfo,
    MetricSpec,
    adapter_series,
    ascii_label,
    category_label,
    refresh_period_s,
    stage_seconds,
)
from serving.model_state import ExtractorState, ModelState
from tests.serving.conftest import METRICS_REPORT_INTERVAL_MS, TAXONOMY, Served

MAIN_EMAILS = [
    "** PROBLEM Service Alert: srv-web-02/Disk D: is CRITICAL ** Free space 2 %",
    "Bonjour, merci de restaurer le dossier \\\\srvfic02\\rh\\2023 dans son état du 2 avril.",
    "Le job BCK_SRVAPP05_DAILY a échoué deux nuits de suite, pouvez-vous regarder ?",
]
LLM_EMAILS = [
    "Merci de créer un compte bastion CS2 pour Mme Leroy sur srv-crm02 en RDP.",
    "Bonjour, la sauvegarde du serveur srv-web01 est en erreur depuis lundi.",
]
#: How long the recorded values may take to reach the endpoint (Ray reports every second here).
DEADLINE_S = 60.0

_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
_ESCAPES = {"\\\\": "\\", '\\"': '"', "\\n": "\n"}


@dataclass(frozen=True)
class Sample:
    """One line of the Prometheus text format: a series name, its labels and its value."""

    name: str
    labels: dict[str, str]
    value: float


def parse(text: str) -> list[Sample]:
    """The samples of a Prometheus text exposition (comments skipped, label values unescaped)."""
    samples = []
    for line in text.splitlines():
        match = _SAMPLE.match(line.strip())
        if not match or line.startswith("#"):
            continue
        name, labels, value = match.groups()
        parsed = {
            key: re.sub(r"\\[\\\"n]", lambda m: _ESCAPES[m.group(0)], raw) for key, raw in _LABEL.findall(labels or "")
        }
        samples.append(Sample(name, parsed, float(value)))
    return samples


def scrape(url: str) -> list[Sample]:
    response = httpx.get(url, timeout=10)
    response.raise_for_status()
    return parse(response.text)


def matches(sample: Sample, labels: dict[str, str]) -> bool:
    """Whether the sample has ``labels`` (a bucket's ``le`` compared as a number: 1 and 1.0 are one bound)."""
    for key, value in labels.items():
        found = sample.labels.get(key)
        if found is None or (float(found) != float(value) if key == "le" else found != value):
            return False
    return True


def total(samples: list[Sample], name: str, **labels: str) -> float:
    """The sum of the series ``name`` whose labels include ``labels`` (over replicas, workers...)."""
    return sum(s.value for s in samples if s.name == name and matches(s, labels))


def ours(samples: list[Sample]) -> dict[tuple[str, frozenset], float]:
    """The application's counters and histograms (not the gauge, whose replaced series age out)."""
    names = {series for spec in METRICS if spec.kind != "gauge" for series in spec.series}
    return {(s.name, frozenset(s.labels.items())): s.value for s in samples if s.name in names}


def settled(url: str, deadline_s: float = DEADLINE_S) -> list[Sample]:
    """A scrape after which nothing earlier is still on its way: two scrapes 1.5 report intervals apart agree."""
    deadline = time.monotonic() + deadline_s
    previous = scrape(url)
    while True:
        time.sleep(1.5)
        current = scrape(url)
        if ours(current) == ours(previous) or time.monotonic() > deadline:
            return current
        previous = current


def wait_until(url: str, reached: Callable[[list[Sample]], bool], deadline_s: float = DEADLINE_S) -> list[Sample]:
    """Scrape until ``reached`` (the last scrape either way: the assertions then say what is missing)."""
    deadline = time.monotonic() + deadline_s
    while True:
        samples = scrape(url)
        if reached(samples) or time.monotonic() > deadline:
            return samples
        time.sleep(0.5)


@dataclass(frozen=True)
class Traffic:
    """The answers posted, and the endpoint's samples before and after them."""

    before: list[Sample]
    after: list[Sample]
    main: list[dict]
    llm: list[dict]

    def delta(self, name: str, **labels: str) -> float:
        return total(self.after, name, **labels) - total(self.before, name, **labels)


def answered_by(answer: dict) -> str:
    return answer["models"]["classifier"]["answered_by"]


def engine_rows(traffic: Traffic, operation: str) -> int:
    """How many requests the answers made the Engine run for ``operation``."""
    if operation == "classify":
        return sum(answered_by(a) == "llm" for a in traffic.main + traffic.llm)
    return sum(a["models"]["extractor"]["answered_by"] == "model" for a in traffic.main)


@pytest.fixture(scope="module")
def traffic(served: Served, client: httpx.Client) -> Traffic:
    url = served.server.metrics_url
    before = settled(url)
    main, llm = [], []
    for email in MAIN_EMAILS:
        response = client.post("/v1/tickets", json={"email": email})
        assert response.status_code == 200, response.text
        main.append(response.json())
    for email in LLM_EMAILS:
        response = client.post("/llm/v1/tickets", json={"email": email})
        assert response.status_code == 200, response.text
        llm.append(response.json())
    counted = Traffic(before, before, main, llm)

    def reached(samples: list[Sample]) -> bool:
        seen = Traffic(before, samples, main, llm)
        return (
            seen.delta(TICKETS.exported, application="mail2ticket") >= len(main)
            and seen.delta(TICKETS.exported, application="llm") >= len(llm)
            and seen.delta(ENGINE_REQUESTS.exported, operation="classify") >= engine_rows(counted, "classify")
            and seen.delta(ENGINE_REQUESTS.exported, operation="extract") >= engine_rows(counted, "extract")
            and seen.delta(f"{STAGE_LATENCY.exported}_count", stage="total") >= len(main) + len(llm)
        )

    return Traffic(before, wait_until(url, reached), main, llm)


def test_metrics_endpoint_serves_ray_and_serve_metrics(served: Served) -> None:
    """The endpoint is Ray's: Serve's own request metrics are there beside the application's."""
    names = {s.name for s in scrape(served.server.metrics_url)}
    assert any(n.startswith("ray_serve_") for n in names), sorted(names)[:20]


def test_tickets_are_counted_per_app_category_and_classifier(traffic: Traffic) -> None:
    for app, answers in (("mail2ticket", traffic.main), ("llm", traffic.llm)):
        assert traffic.delta(TICKETS.exported, application=app, endpoint="tickets") == len(answers), app
        for answer in answers:
            category, who = answer["category"], answered_by(answer)
            expected = sum(a["category"] == category and answered_by(a) == who for a in answers)
            key = TAXONOMY.key_of(category)  # the label: the category's key (Ray records ASCII label values only)
            got = traffic.delta(TICKETS.exported, application=app, endpoint="tickets", category=key, classifier=who)
            assert got == expected, (app, category, who)
    assert traffic.delta(TICKETS.exported, application="tight") == 0  # nothing was posted there


def test_confidence_histogram_holds_the_answered_confidences(traffic: Traffic) -> None:
    """Every cumulative bucket moved by the number of answers at or under its bound: the values recorded are
    the answers' (the _sum is Ray's midpoint approximation, so it is not compared)."""
    for app, answers in (("mail2ticket", traffic.main), ("llm", traffic.llm)):
        name = f"{CONFIDENCE.exported}_bucket"
        for bound in CONFIDENCE_BUCKETS:
            expected = sum(a["confidence"] <= bound for a in answers)
            assert traffic.delta(name, application=app, le=str(bound)) == expected, (app, bound)
        assert traffic.delta(name, application=app, le="+Inf") == len(answers)
        assert traffic.delta(f"{CONFIDENCE.exported}_count", application=app) == len(answers)


def test_needs_review_and_unknown_are_counted(traffic: Traffic) -> None:
    assert all(a["needs_review"] for a in traffic.llm)  # the llm app's thresholds are 1
    for app, answers in (("mail2ticket", traffic.main), ("llm", traffic.llm)):
        assert traffic.delta(NEEDS_REVIEW.exported, application=app) == sum(a["needs_review"] for a in answers), app
        unknown = sum(a["category"] == UNKNOWN for a in answers)
        assert traffic.delta(UNKNOWN_CATEGORY.exported, application=app) == unknown, app
        assert traffic.delta(TICKETS.exported, application=app, category=TAXONOMY.key_of(UNKNOWN)) == unknown, app


def test_every_stage_of_the_answers_timings_is_observed(traffic: Traffic) -> None:
    for app, answers in (("mail2ticket", traffic.main), ("llm", traffic.llm)):
        stages = {stage for a in answers for stage in a["timings_ms"]}
        assert {"first_email", "classify", "total"} <= stages
        for stage in stages:
            ran = [stage_seconds(a["timings_ms"])[stage] for a in answers if stage in stage_seconds(a["timings_ms"])]
            count = traffic.delta(f"{STAGE_LATENCY.exported}_count", application=app, endpoint="tickets", stage=stage)
            assert count == len(ran), (app, stage)
            for bound in LATENCY_BUCKETS:
                name = f"{STAGE_LATENCY.exported}_bucket"
                bucket = traffic.delta(name, application=app, endpoint="tickets", stage=stage, le=str(bound))
                assert bucket == sum(seconds <= bound for seconds in ran), (app, stage, bound)
    assert traffic.delta(f"{STAGE_LATENCY.exported}_count", application="llm", stage="extract") == 0  # no extraction


def test_the_engine_records_each_batch_it_runs(traffic: Traffic) -> None:
    rows = engine_rows(traffic, "classify")
    assert rows >= len(traffic.llm)  # the llm app's answers all went through the Engine
    for operation in ("classify", "extract"):
        rows = engine_rows(traffic, operation)
        assert traffic.delta(ENGINE_REQUESTS.exported, application="mail2ticket", operation=operation) == rows
        batches = traffic.delta(f"{ENGINE_BATCH_SIZE.exported}_count", operation=operation)
        # Sequential posts: every request is its own batch here, or shares one with nobody else's.
        assert (batches >= 1) == (rows >= 1) and batches <= rows, (operation, batches, rows)
        assert traffic.delta(f"{ENGINE_BATCH_SIZE.exported}_bucket", operation=operation, le="+Inf") == batches


def test_adapter_info_names_the_served_models(traffic: Traffic, client: httpx.Client, served: Served) -> None:
    """Each Gateway exports the model it serves, with the registry version /readyz reports."""

    def served_series(app: str, role: str) -> list[dict[str, str]]:
        return [
            s.labels
            for s in scrape(served.server.metrics_url)
            if s.name == ADAPTER_INFO.exported and s.value == 1
            and s.labels.get("application") == app and s.labels.get("role") == role
        ]  # fmt: skip

    for app, prefix in (("mail2ticket", ""), ("llm", "/llm"), ("tight", "/tight")):
        classifier = client.get(f"{prefix}/readyz").json()["models"]["classifier"]
        series = served_series(app, "classifier")
        assert series, f"no adapter info of {app}"
        assert {(s["serving"], s["version"], s["adapter"]) for s in series} == {
            (classifier["serving"], classifier["version"] or "", classifier["adapter"] or "")
        }, (app, series)
    assert served_series("mail2ticket", "classifier")[0]["registered_model"] == served.registered.name
    assert served_series("mail2ticket", "classifier")[0]["version"] == served.registered.first_version
    extractor = client.get("/readyz").json()["models"]["extractor"]
    assert extractor["serving"] == "champion"  # the extraction agents' own registered adapter
    assert {(s["serving"], s["registered_model"], s["version"]) for s in served_series("mail2ticket", "extractor")} == {
        (extractor["serving"], extractor["registered_model"], extractor["version"])
    }
    assert served_series("llm", "extractor") == []  # extraction is off there


def test_adapter_info_outlives_rays_gauge_expiry(served: Served) -> None:
    """Ray stops exporting a gauge two report intervals after its last ``set``: the Gateway sets it again."""
    expiry_s = 2 * max(METRICS_REPORT_INTERVAL_MS, 1000) / 1000  # of a value set once (Ray's gauge TTL)
    time.sleep(2.5 * expiry_s)
    labels = [s.labels for s in scrape(served.server.metrics_url) if s.name == ADAPTER_INFO.exported and s.value == 1]
    assert {entry.get("application") for entry in labels} >= {"mail2ticket", "llm", "tight"}


# --- serving/metrics.py alone (no Ray needed) ------------------------------------------------------------


def test_exported_names_follow_rays_conventions() -> None:
    assert TICKETS.exported == "ray_mail2ticket_tickets_total"
    assert CONFIDENCE.series == (
        "ray_mail2ticket_confidence_bucket",
        "ray_mail2ticket_confidence_count",
        "ray_mail2ticket_confidence_sum",
    )
    assert ADAPTER_INFO.exported == "ray_mail2ticket_adapter_info"
    assert len({spec.name for spec in METRICS}) == len(METRICS)
    reserved = {"deployment", "replica", "application", "route"}  # Ray Serve's own labels
    assert all(not set(spec.tag_keys) & reserved for spec in METRICS)


def test_names_descriptions_and_labels_are_ascii() -> None:
    """Ray 2.60 encodes them as ASCII (Metric.record raises UnicodeEncodeError on a category name with an accent)."""
    for spec in METRICS:
        assert (spec.name + spec.description + "".join(spec.tag_keys)).isascii(), spec.name
    assert ascii_label("Restauration qualifiée") == "Restauration qualifi\\xe9e"
    keys = [category_label(TAXONOMY, label) for label in TAXONOMY.labels_with_unknown]
    assert keys == [TAXONOMY.key_of(label) for label in TAXONOMY.labels_with_unknown] and all(k.isascii() for k in keys)
    assert category_label(TAXONOMY, "Hors taxonomie, évidemment") == "Hors taxonomie, \\xe9videmment"


def test_a_spec_refuses_the_wrong_metric_type() -> None:
    with pytest.raises(TypeError, match="is a counter, not a gauge"):
        MetricSpec("x", "counter", "", ()).gauge()


def test_stage_seconds_skips_the_engine_stages_that_did_not_run() -> None:
    timings = {"first_email": 0.0, "classify": 1.5, "engine_classify": 0.0, "extract": 250.0, "engine_extract": 240.0}
    assert stage_seconds(timings) == {"first_email": 0.0, "classify": 0.0015, "extract": 0.25, "engine_extract": 0.24}


def test_adapter_series_names_the_classifier_and_the_extractors() -> None:
    state = ModelState(serving="champion", adapter="models:/m/3", base_model="embedded:x", engine="transformers",
                       prompt_style="compact", prompt_version="p", taxonomy_version="t", registered_model="m",
                       version="3")  # fmt: skip
    classifier, extractor = adapter_series(state, extraction=True)
    assert classifier == {"role": "classifier", "serving": "champion", "registered_model": "m", "version": "3",
                          "adapter": "models:/m/3", "base_model": "embedded:x"}  # fmt: skip
    assert extractor["role"] == "extractor" and extractor["serving"] == "base" and not extractor["adapter"]
    assert [s["role"] for s in adapter_series(state, extraction=False)] == ["classifier"]
    trained = ExtractorState(serving="champion", adapter="models:/e/2", registered_model="e", version="2")
    _, extractor = adapter_series(state.model_copy(update={"extractor": trained}), extraction=True)
    assert extractor == {**classifier, "role": "extractor", "registered_model": "e", "version": "2",
                         "adapter": "models:/e/2"}  # fmt: skip
    assert set(classifier) == set(ADAPTER_INFO.tag_keys)


def test_the_gauge_refresh_is_shorter_than_rays_expiry() -> None:
    period = refresh_period_s()
    assert 0 < period <= 5.0 and math.isfinite(period)  # Ray's default interval: 10 s, expiry after 20 s


def test_the_metrics_port_is_for_a_local_ray_only() -> None:
    """``--metrics-port`` starts Ray's endpoint on a local Ray; a Ray started elsewhere keeps its own port."""
    from typer.testing import CliRunner

    from serving.cli import app

    assert "--metrics-port" in CliRunner().invoke(app, ["--help"]).output
    result = CliRunner().invoke(app, ["--address", "10.0.0.5:6379", "--metrics-port", "8080"])
    assert result.exit_code == 2 and "--metrics-port applies to a local Ray only" in result.output


class RecordingGauge:
    """Stands for Ray's gauge: what was set, in order."""

    def __init__(self) -> None:
        self.sets: list[tuple[float, dict[str, str]]] = []

    def set(self, value: float, tags: dict[str, str]) -> None:
        self.sets.append((value, dict(tags)))


def test_adapter_info_switches_on_reload_and_keeps_setting_the_served_model() -> None:
    """A reload sets the replaced model's series to 0 once; the served one is set again every refresh period."""
    import asyncio

    old, new = ({"role": "classifier", "version": v} for v in ("1", "2"))
    gauge = RecordingGauge()
    info = AdapterInfo(refresh_s=0.01, gauge=gauge)  # type: ignore[arg-type]
    info.show([old])
    info.show([new])
    assert gauge.sets == [(1, old), (0, old), (1, new)]

    async def run_a_while() -> None:
        info.start()
        await asyncio.sleep(0.1)

    asyncio.run(run_a_while())
    refreshed = gauge.sets[3:]
    assert len(refreshed) >= 3 and all(entry == (1, new) for entry in refreshed)
