"""The application arguments (``args:`` of an application in ``serving/config.yaml``), validated.

Ray Serve passes the ``args`` mapping of the config to :func:`serving.app.build_app` untouched;
this model turns it into typed settings once, so a typo (``auth_requried``) or a bad value
fails the deployment with a message that names the key, instead of being silently ignored.
Every deployment receives the same mapping and validates it again in its own process (the
settings cross process boundaries as plain data).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mail2ticket.models import DEFAULT_MODEL
from mail2ticket.taxonomy import load_taxonomy
from mail2ticket.tracking import CHAMPION, REGISTERED_MODEL

AuditEmail = Literal["hash", "redact", "keep"]


class AppSettings(BaseModel):
    """What one mail2ticket application serves and how it protects itself."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # ------------------------------------------------------------------ model
    engine: Literal["transformers", "vllm"] = Field(
        "transformers", description="Inference engine: transformers (CPU, the default) or vllm (GPU, multi-LoRA)."
    )
    base_model: str = Field(DEFAULT_MODEL, description="Base model: embedded:NAME, a local folder or an s3:// prefix.")
    engine_options: dict[str, Any] = Field(
        default_factory=dict,
        description="Extra keyword arguments of the engine constructor (vLLM: gpu_memory_utilization, "
        "max_model_len, max_loras...).",
    )
    torch_threads: int | None = Field(
        None,
        ge=1,
        description="CPU threads of each replica of the transformers engine (the shipped CPU config: 1, two "
        "replicas); None uses every core the process may run on. vLLM ignores it, so the chart's GPU values "
        "keep the CPU config's setting.",
    )
    engine_app: str | None = Field(
        None,
        description="Use the Engine of this other application (listed before it in the config) instead of "
        "starting one: several Gateways with their own thresholds, limits or tokens over one model copy.",
    )
    registered_model: str = Field(REGISTERED_MODEL, description="MLflow registered model of the classifier adapter.")
    model_alias: str = Field(CHAMPION, description="Alias resolved at start and on POST /admin/reload.")
    adapter: str | None = Field(
        None,
        description="Pin an adapter (local folder or s3:// prefix) instead of asking the registry: canaries, "
        "benchmarks, air-gapped installs without MLflow.",
    )

    base_prompt_style: Literal["full", "compact"] = Field(
        "full",
        description="Prompt of the bare base model when no adapter is served: full (every category's "
        "description, the zero-shot baseline of evaluation) or compact (labels only, half the tokens: small CPU "
        "models). An adapter always gets the prompt it was trained with.",
    )

    # ------------------------------------------------------------------ agents
    review_thresholds: dict[str, float] = Field(
        default_factory=dict,
        description="Per-category overrides of the taxonomy's review thresholds (label -> 0..1): routing "
        "policy that operations tune without retraining.",
    )
    extraction: bool = Field(True, description="Run the category's extractor agent on POST /v1/tickets.")
    extract_max_new_tokens: int = Field(256, ge=8, le=4096, description="Token budget of one extraction.")
    support_domains: list[str] | None = Field(
        None, description="E-mail domains of the support desk, to isolate the client's first e-mail of a thread."
    )
    max_batch_size: int = Field(8, ge=1, le=256, description="Largest batch each Engine replica runs (@serve.batch).")
    batch_wait_timeout_s: float = Field(
        0.005,
        ge=0.0,
        le=1.0,
        description="How long the Engine waits to fill a batch before running it. On a CPU it must outlast "
        "a reply's round trip through the Serve graph, or a batch of 8 splits into 7 + 1 and stays split "
        "(serving/config.yaml: 0.25 s); on a GPU a batch runs in milliseconds and the wait is latency.",
    )

    # ------------------------------------------------------------------ protection
    auth_required: bool = Field(
        True, description="Bearer tokens required on /v1 and /admin; turning it off must be explicit."
    )
    tokens_env: str = Field(
        "MAIL2TICKET_API_TOKENS", description="Environment variable with the accepted tokens, comma-separated."
    )
    admin_tokens_env: str = Field(
        "MAIL2TICKET_ADMIN_TOKENS",
        description="Tokens for /admin (comma-separated); when unset, the API tokens are accepted there too.",
    )
    max_body_bytes: int = Field(262_144, ge=1024, description="Largest request body; more is answered 413.")
    request_timeout_s: float = Field(
        30.0,
        gt=0.0,
        description="Deadline of one request inside the Gateway (504 after it). Keep it under the proxy's "
        "http_options.request_timeout_s, which answers a bare 408.",
    )
    retry_after_s: int = Field(1, ge=0, description="Retry-After of the 503 answers the Gateway produces.")

    # ------------------------------------------------------------------ audit
    audit_log: str = Field(
        "audit/mail2ticket-audit.jsonl",
        description="JSON-lines audit file (one line per decision answered 200); a relative path is relative "
        "to the replica's working directory (`mail2ticket serve` makes it absolute).",
    )
    audit_email: AuditEmail = Field(
        "hash", description="E-mail text in the audit log: hash (sha256, default), redact (length only) or keep."
    )
    audit_fsync: bool = Field(False, description="fsync after every audit line (slower; survives a power cut).")

    @field_validator("review_thresholds")
    @classmethod
    def _thresholds_name_categories(cls, value: dict[str, float]) -> dict[str, float]:
        labels = set(load_taxonomy().labels_with_unknown)
        unknown = sorted(set(value) - labels)
        if unknown:
            raise ValueError(f"review_thresholds: not taxonomy categories: {', '.join(unknown)}")
        bad = sorted(k for k, v in value.items() if not 0.0 <= float(v) <= 1.0)
        if bad:
            raise ValueError(f"review_thresholds: values must be within 0..1 ({', '.join(bad)})")
        return value

    def threshold(self, category: str) -> float:
        """Review threshold of ``category``: the override, else the taxonomy's."""
        if category in self.review_thresholds:
            return float(self.review_thresholds[category])
        return load_taxonomy().category(category).review_threshold

    def audit_path(self) -> Path:
        return Path(self.audit_log).expanduser().absolute()


def engine_handle(bound: Any, settings: AppSettings) -> Any:
    """The Engine to call: the one bound in this application, or ``engine_app``'s."""
    if bound is not None:
        return bound
    from ray import serve

    return serve.get_deployment_handle("Engine", app_name=settings.engine_app)
