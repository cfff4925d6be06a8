"""The serving application's Prometheus metrics, defined in one place and recorded through Ray.

The replicas record with Ray Serve's metrics API (:mod:`ray.serve.metrics`); Ray's metrics
agent on every node exports what that node's replicas recorded at
``http://<node>:<metrics export port>/metrics`` (``mail2ticket serve --metrics-port``; on
Kubernetes KubeRay's port 8080, which the Helm chart's ServiceMonitor scrapes). Ray adds the
``ray_`` prefix, counters get the ``_total`` suffix (:attr:`MetricSpec.exported`), and Serve adds
the ``application``, ``deployment`` and ``replica`` labels, so the three applications of one
Serve config stay apart. Ray 2.60 encodes label values as ASCII (a category name with an accent
raises ``UnicodeEncodeError`` in ``Metric.record``): the ``category`` label is the category's
taxonomy key (``restauration``, not ``…/Restauration qualifiée``), and any other value is
escaped (:func:`ascii_label`).

What is recorded where the data is:

* the Gateway, once per answered decision (the ones the audit log has a line for): tickets per
  category, the confidence histogram, the ``needs_review`` and ``unknown`` counts and the
  latency of each stage of the answer's ``timings_ms`` (:class:`DecisionMetrics`); it also
  says which adapter it serves (:class:`AdapterInfo`, updated by ``POST /admin/reload``);
* the Engine, once per engine call: the size of the batch it ran, and its requests (:class:`EngineMetrics`).

Ray 2.60's metrics agent rebuilds a histogram from its bucket counts, each observation at its
bucket's midpoint: the buckets and ``_count`` are exact, ``_sum`` is an approximation (hence
``mail2ticket_engine_requests``, for the exact mean batch size).

The metric objects are created in the replicas' ``__init__``, never at import: a Ray metric
registers with the core worker of the process that creates it and takes Serve's labels from
the replica context, which only a replica has (this module is also imported by the driver and
by the tests). Recording is best effort: a metric that cannot be recorded is logged once and
never fails the request.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from mail2ticket.taxonomy import UNKNOWN, Taxonomy
from serving.model_state import AdapterState, ModelState

if TYPE_CHECKING:
    from ray.serve.metrics import Counter, Gauge, Histogram

logger = logging.getLogger("ray.serve")

MetricKind = Literal["counter", "histogram", "gauge"]
#: What Ray's metrics agent puts before every application metric's name.
RAY_PREFIX = "ray_"


@dataclass(frozen=True)
class MetricSpec:
    """One metric: its name in Ray, its type, its labels (Serve adds its own) and its buckets."""

    name: str
    kind: MetricKind
    description: str
    tag_keys: tuple[str, ...]
    boundaries: tuple[float, ...] = ()

    @property
    def exported(self) -> str:
        """The name Prometheus sees: Ray's prefix, and ``_total`` for a counter.

        A histogram's series add ``_bucket``, ``_count`` and ``_sum`` to it (:attr:`series`).
        """
        return f"{RAY_PREFIX}{self.name}{'_total' if self.kind == 'counter' else ''}"

    @property
    def series(self) -> tuple[str, ...]:
        """Every series name this metric appears under in the Prometheus text format."""
        if self.kind == "histogram":
            return tuple(f"{self.exported}{suffix}" for suffix in ("_bucket", "_count", "_sum"))
        return (self.exported,)

    def counter(self) -> Counter:
        """The Ray Serve counter; create it in a replica (see the module docstring)."""
        from ray.serve.metrics import Counter

        self._expect("counter")
        return Counter(self.name, self.description, self.tag_keys)

    def histogram(self) -> Histogram:
        """The Ray Serve histogram; create it in a replica."""
        from ray.serve.metrics import Histogram

        self._expect("histogram")
        return Histogram(self.name, self.description, list(self.boundaries), self.tag_keys)

    def gauge(self) -> Gauge:
        """The Ray Serve gauge; create it in a replica."""
        from ray.serve.metrics import Gauge

        self._expect("gauge")
        return Gauge(self.name, self.description, self.tag_keys)

    def _expect(self, kind: MetricKind) -> None:
        if self.kind != kind:
            raise TypeError(f"{self.name} is a {self.kind}, not a {kind}")


#: Confidence buckets: tenths of the calibrated probability (a review threshold falls between two).
CONFIDENCE_BUCKETS = tuple(round(0.1 * i, 1) for i in range(1, 11))
#: Latency buckets in seconds, from a classical answer (a millisecond) to a CPU extraction (minutes).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
#: Batch-size buckets up to the largest ``batching.max_batch_size`` the settings accept (256).
BATCH_BUCKETS = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0)

#: The labels of a decision: which endpoint answered it, the category's key, and who classified (llm or classical).
DECISION_LABELS = ("endpoint", "category", "classifier")

TICKETS = MetricSpec(
    "mail2ticket_tickets",
    "counter",
    "Decisions answered (POST /v1/tickets and /v1/classify), per category (taxonomy key) and per classifier that "
    "answered.",
    DECISION_LABELS,
)
CONFIDENCE = MetricSpec(
    "mail2ticket_confidence",
    "histogram",
    "Calibrated confidence of the category answered.",
    DECISION_LABELS,
    CONFIDENCE_BUCKETS,
)
NEEDS_REVIEW = MetricSpec(
    "mail2ticket_needs_review",
    "counter",
    "Decisions answered with needs_review (confidence under the category's threshold, or unknown).",
    DECISION_LABELS,
)
UNKNOWN_CATEGORY = MetricSpec(
    "mail2ticket_unknown",
    "counter",
    "Decisions answered with the category unknown (outside the taxonomy).",
    ("endpoint", "classifier"),
)
STAGE_LATENCY = MetricSpec(
    "mail2ticket_stage_latency_seconds",
    "histogram",
    "Latency of each stage of an answered decision (the stages of its timings_ms); an engine stage the "
    "engine did not run (a classical answer, a parsed notification) is not observed.",
    ("endpoint", "stage"),
    LATENCY_BUCKETS,
)
ENGINE_BATCH_SIZE = MetricSpec(
    "mail2ticket_engine_batch_size",
    "histogram",
    "Requests in each engine call of an Engine replica (one call per labels or schema and adapter of a batch).",
    ("operation",),
    BATCH_BUCKETS,
)
ENGINE_REQUESTS = MetricSpec(
    "mail2ticket_engine_requests",
    "counter",
    "Requests the Engine ran (the rows of its engine calls). Divided by the batch-size histogram's count it "
    "is the exact mean batch size, which the histogram's _sum is not (Ray rebuilds it from bucket midpoints).",
    ("operation",),
)
ADAPTER_INFO = MetricSpec(
    "mail2ticket_adapter_info",
    "gauge",
    "1 for the model each agent role is served with (registry version, adapter reference); 0 once replaced.",
    ("role", "serving", "registered_model", "version", "adapter", "base_model"),
)

#: Every metric of the application (the Grafana dashboard of the chart has a panel for each).
METRICS = (
    TICKETS,
    CONFIDENCE,
    NEEDS_REVIEW,
    UNKNOWN_CATEGORY,
    STAGE_LATENCY,
    ENGINE_BATCH_SIZE,
    ENGINE_REQUESTS,
    ADAPTER_INFO,
)
#: Stages of ``timings_ms`` that are the Engine's time only; 0 means the engine was not called.
ENGINE_STAGES = ("engine_classify", "engine_extract")

_failed: set[str] = set()


def ascii_label(value: str) -> str:
    """``value`` as a label value Ray can record: non-ASCII characters escaped (``é`` becomes ``\\xe9``)."""
    return value.encode("ascii", "backslashreplace").decode("ascii")


def category_label(taxonomy: Taxonomy, category: str) -> str:
    """The ``category`` label of a decision: the category's key (ASCII by the taxonomy's rules)."""
    return taxonomy.key_of(category) or ascii_label(category)


def _safely(name: str, record: Callable[[], None]) -> None:
    """Record a metric; a failure is logged once per metric and never reaches the request."""
    try:
        record()
    except Exception:
        if name not in _failed:
            _failed.add(name)
            logger.exception("metric %s could not be recorded (further failures of it are not logged)", name)


class DecisionMetrics:
    """The Gateway's metrics of answered decisions (created in the Gateway replica)."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.tickets = TICKETS.counter()
        self.confidence = CONFIDENCE.histogram()
        self.needs_review = NEEDS_REVIEW.counter()
        self.unknown = UNKNOWN_CATEGORY.counter()
        self.latency = STAGE_LATENCY.histogram()

    def record(
        self,
        endpoint: str,
        category: str,
        confidence: float,
        needs_review: bool,
        classifier: str,
        timings_ms: Mapping[str, float],
    ) -> None:
        """One answered decision: its category (name), confidence, review flag and stage latencies."""
        labels = {"endpoint": endpoint, "category": category_label(self.taxonomy, category), "classifier": classifier}
        _safely(TICKETS.name, lambda: self.tickets.inc(1, dict(labels)))
        _safely(CONFIDENCE.name, lambda: self.confidence.observe(float(confidence), dict(labels)))
        if needs_review:
            _safely(NEEDS_REVIEW.name, lambda: self.needs_review.inc(1, dict(labels)))
        if category == UNKNOWN:
            who = {"endpoint": endpoint, "classifier": classifier}
            _safely(UNKNOWN_CATEGORY.name, lambda: self.unknown.inc(1, who))
        for stage, seconds in stage_seconds(timings_ms).items():
            tags = {"endpoint": endpoint, "stage": stage}
            _safely(STAGE_LATENCY.name, lambda s=seconds, t=tags: self.latency.observe(s, t))


def stage_seconds(timings_ms: Mapping[str, float]) -> dict[str, float]:
    """The stages to observe, in seconds: every stage of ``timings_ms`` but an engine stage that did not run."""
    return {stage: float(ms) / 1000.0 for stage, ms in timings_ms.items() if not (stage in ENGINE_STAGES and not ms)}


class EngineMetrics:
    """The Engine's metrics (created in the Engine replica)."""

    def __init__(self) -> None:
        self.batch_size = ENGINE_BATCH_SIZE.histogram()
        self.requests = ENGINE_REQUESTS.counter()

    def batch(self, operation: str, size: int) -> None:
        """One engine call of ``size`` requests (``operation``: classify or extract)."""
        _safely(ENGINE_BATCH_SIZE.name, lambda: self.batch_size.observe(float(size), {"operation": operation}))
        _safely(ENGINE_REQUESTS.name, lambda: self.requests.inc(size, {"operation": operation}))


def adapter_series(state: ModelState, extraction: bool) -> list[dict[str, str]]:
    """The :data:`ADAPTER_INFO` label sets of what a Gateway serves: its classifier, and its extractors.

    The extractor agents are listed only when extraction is on, with their adapter (none: the
    base model with their prompts).
    """
    classifier = {"role": "classifier", **_adapter_labels(state), "base_model": ascii_label(state.base_model)}
    if not extraction:
        return [classifier]
    return [classifier, {**classifier, "role": "extractor", **_adapter_labels(state.extractor)}]


def _adapter_labels(adapter: AdapterState | None) -> dict[str, str]:
    """The labels naming an agent's adapter: how it is served, its registry version, its reference."""
    if adapter is None:
        return {"serving": "base", "registered_model": "", "version": "", "adapter": ""}
    return {
        "serving": adapter.serving,
        "registered_model": ascii_label(adapter.registered_model or ""),
        "version": adapter.version or "",
        "adapter": ascii_label(adapter.adapter or ""),
    }


def refresh_period_s() -> float:
    """How often a gauge must be set again to stay exported: half of Ray's metrics report interval.

    Ray 2.60 sends a gauge's value to the metrics agent in the report that follows a ``set``
    only, and the agent drops a value not reported again within two intervals
    (``ray/_private/telemetry/open_telemetry_metric_recorder.py``, ``_gauge_metric_ttl_s``): a
    gauge set once disappears from ``/metrics`` after two intervals (measured: 2 s with
    ``RAY_metrics_report_interval_ms=1000``). The interval is Ray's ``metrics_report_interval_ms``
    (10 s by default), floored at one second as Ray floors it.
    """
    try:
        import ray

        interval_ms = int(ray._config.metrics_report_interval_ms())
    except Exception:  # pragma: no cover - a Ray without the setting: its documented default
        interval_ms = 10_000
    return max(interval_ms, 1000) / 2000.0


class AdapterInfo:
    """The :data:`ADAPTER_INFO` gauge of one Gateway replica, kept exported while the model is served.

    :meth:`show` sets the series of the served model to 1 and a replaced one to 0 (once: then it
    ages out of ``/metrics``); :meth:`start` sets the current series again every
    :func:`refresh_period_s`, without which Ray would stop exporting them (see there).
    """

    def __init__(self, refresh_s: float | None = None, gauge: Gauge | None = None) -> None:
        self.gauge = gauge or ADAPTER_INFO.gauge()
        self.series: list[dict[str, str]] = []
        self.refresh_s = refresh_s or refresh_period_s()
        self._task: asyncio.Task[None] | None = None

    def show(self, series: list[dict[str, str]]) -> None:
        """Serve ``series`` from now on: 1 for them, 0 for the ones they replace."""
        for replaced in (s for s in self.series if s not in series):
            _safely(ADAPTER_INFO.name, lambda tags=replaced: self.gauge.set(0, dict(tags)))
        self.series = [dict(s) for s in series]
        self._set_current()

    def start(self) -> None:
        """Keep the current series exported (call it in the replica's event loop)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._keep_alive())

    def _set_current(self) -> None:
        for tags in self.series:
            _safely(ADAPTER_INFO.name, lambda t=tags: self.gauge.set(1, dict(t)))

    async def _keep_alive(self) -> None:
        while True:
            await asyncio.sleep(self.refresh_s)
            self._set_current()


__all__ = [
    "ADAPTER_INFO",
    "BATCH_BUCKETS",
    "CONFIDENCE",
    "CONFIDENCE_BUCKETS",
    "ENGINE_BATCH_SIZE",
    "ENGINE_REQUESTS",
    "ENGINE_STAGES",
    "LATENCY_BUCKETS",
    "METRICS",
    "NEEDS_REVIEW",
    "RAY_PREFIX",
    "STAGE_LATENCY",
    "TICKETS",
    "UNKNOWN_CATEGORY",
    "AdapterInfo",
    "DecisionMetrics",
    "EngineMetrics",
    "MetricSpec",
    "adapter_series",
    "ascii_label",
    "category_label",
    "refresh_period_s",
    "stage_seconds",
]
