"""The application arguments (``args:`` of an application in ``serving/config.yaml``), validated.

Ray Serve passes the ``args`` mapping of the config to :func:`serving.app.build_app` untouched;
this model turns it into typed settings once, so a typo (``requried``) or a bad value fails the
deployment with a message that names the key, instead of being silently ignored. Every
deployment receives the same mapping and validates it again in its own process (the settings
cross process boundaries as plain data).

The settings are nested by concern: ``engine`` (which model runs where), ``model`` (which
classifier adapter), ``batching``, ``agents``, ``auth``, ``limits``, ``audit`` and ``review``
(the human-review queue). The Serve options of the Engine deployment that must agree with the
batching (how many requests it runs and queues) are derived from it
(:meth:`BatchingSettings.engine_options`), never written in the config;
:func:`check_serve_config` refuses a config (``mail2ticket serve``'s, or the one the Helm chart
renders) that sets them.
"""

from __future__ import annotations

import copy
import types
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mail2ticket.auth import TOKEN_VARIABLES, Role
from mail2ticket.calibration import Calibration, review_threshold
from mail2ticket.classical.cascade import ClassifierKind
from mail2ticket.engines import DEFAULT_MAX_ADAPTERS
from mail2ticket.registry.models import DEFAULT_MODEL
from mail2ticket.registry.tracking import CHAMPION, EXTRACTOR_REGISTERED_MODEL, REGISTERED_MODEL
from mail2ticket.taxonomy import load_taxonomy

AuditEmail = Literal["hash", "redact", "keep"]

#: The Engine deployment's Serve options that :class:`BatchingSettings` decides.
DERIVED_ENGINE_OPTIONS = ("max_ongoing_requests", "max_queued_requests")
#: The name of the Engine deployment in the Serve graph.
ENGINE_DEPLOYMENT = "Engine"
#: The ``import_path`` of this application in a Serve config.
APP_IMPORT_PATH = "serving.app:build_app"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EngineSettings(_Section):
    """Which inference engine runs the base model, and how."""

    kind: Literal["transformers", "vllm"] = Field(
        "transformers", description="Inference engine: transformers (CPU, the default) or vllm (GPU, multi-LoRA)."
    )
    base_model: str = Field(DEFAULT_MODEL, description="Base model: embedded:NAME, a local folder or an s3:// prefix.")
    options: dict[str, Any] = Field(
        default_factory=dict,
        description="Extra keyword arguments of the engine constructor (dtype; vLLM: gpu_memory_utilization, "
        "max_model_len, max_loras...).",
    )
    max_adapters: int = Field(
        DEFAULT_MAX_ADAPTERS,
        ge=1,
        description="Adapters each Engine replica keeps loaded; past that the least recently used is unloaded "
        "(each reload of a new champion adds one).",
    )
    torch_threads: int | None = Field(
        None,
        ge=1,
        description="CPU threads of each replica of the transformers engine (the shipped CPU config: 1, two "
        "replicas); None uses every core the process may run on. vLLM ignores it.",
    )
    app: str | None = Field(
        None,
        description="Use the Engine of this other application (listed before it in the config) instead of "
        "starting one: several Gateways with their own thresholds, limits or tokens over one model copy.",
    )

    def constructor_options(self) -> dict[str, Any]:
        """Keyword arguments of the engine's constructor."""
        return {"max_adapters": self.max_adapters, **self.options}


class ExtractorModelSettings(_Section):
    """Which adapter the extraction agents run with: one adapter fills every category's fields."""

    registered_model: str = Field(
        EXTRACTOR_REGISTERED_MODEL,
        description="MLflow registered model of the extraction adapter. Until it has the alias, the agents run "
        "on the bare base model with their prompts.",
    )
    alias: str = Field(CHAMPION, description="Alias resolved at start and on POST /admin/reload.")
    adapter: str | None = Field(
        None, description="Pin an extraction adapter (local folder, s3:// prefix or models:/NAME/VERSION)."
    )


class ModelSettings(_Section):
    """Which classifier adapter is served, and which adapter the extraction agents use."""

    registered_model: str = Field(REGISTERED_MODEL, description="MLflow registered model of the classifier adapter.")
    alias: str = Field(CHAMPION, description="Alias resolved at start and on POST /admin/reload.")
    adapter: str | None = Field(
        None,
        description="Pin an adapter (local folder, s3:// prefix or models:/NAME/VERSION) instead of asking the "
        "registry's alias: canaries, benchmarks, air-gapped installs without MLflow.",
    )
    base_prompt_style: Literal["full", "compact"] = Field(
        "full",
        description="Prompt of the bare base model when no adapter is served: full (every category's "
        "description, the zero-shot baseline of evaluation) or compact (labels only, half the tokens: small CPU "
        "models). An adapter always gets the prompt it was trained with.",
    )
    extractor: ExtractorModelSettings = Field(
        default_factory=ExtractorModelSettings, description="The extraction agents' adapter."
    )


class BatchingSettings(_Section):
    """How each Engine replica groups requests, and how many it admits."""

    max_batch_size: int = Field(8, ge=1, le=256, description="Largest batch each Engine replica runs (@serve.batch).")
    batch_wait_timeout_s: float = Field(
        0.005,
        ge=0.0,
        le=1.0,
        description="How long the Engine waits to fill a batch before running it. On a CPU it must outlast "
        "a reply's round trip through the Serve graph, or a batch of 8 splits into 7 + 1 and stays split "
        "(serving/config.yaml: 0.25 s); on a GPU a batch runs in milliseconds and the wait is latency.",
    )
    queued_batches: int = Field(
        2,
        ge=1,
        description="Batches' worth of requests each caller may queue for the Engine beyond those running; past "
        "that the caller gets 503 + Retry-After (backpressure) instead of a queue that times out.",
    )

    def engine_options(self) -> dict[str, int]:
        """The Engine deployment's Serve options this batching implies.

        A replica runs one batch at a time, so it takes ``max_batch_size`` requests (more would
        wait inside the replica, where no 503 can be given); each caller queues
        ``queued_batches`` batches more.
        """
        return {
            "max_ongoing_requests": self.max_batch_size,
            "max_queued_requests": self.queued_batches * self.max_batch_size,
        }


class AgentSettings(_Section):
    """What the agents do with a decision."""

    review_thresholds: dict[str, float] = Field(
        default_factory=dict,
        description="Per-category overrides of the review thresholds (label -> 0..1): routing policy that "
        "operations tune without retraining. Without one, the adapter's calibrated thresholds apply, else "
        "the taxonomy's.",
    )
    classifier: ClassifierKind = Field(
        "cascade",
        description="Who answers: 'llm' (the adapter), 'classical' (the TF-IDF model shipped with it) or "
        "'cascade' (the classical model when its calibrated confidence clears the threshold fitted on "
        "validation, else the LLM). The best measured on the hand-written dev set is the default.",
    )
    extraction: bool = Field(True, description="Run the category's extractor agent on POST /v1/tickets.")
    extract_max_new_tokens: int = Field(256, ge=8, le=4096, description="Token budget of one extraction.")
    alert_parsers: bool = Field(
        True,
        description="Read monitoring and backup notifications with their format's parser (exact, no engine call); "
        "the model extracts the rest.",
    )
    support_domains: list[str] | None = Field(
        None, description="E-mail domains of the support desk, to isolate the client's first e-mail of a thread."
    )

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


class AuthSettings(_Section):
    """Bearer tokens of the API, one environment variable per role."""

    required: bool = Field(
        True, description="Bearer tokens required on /v1 and /admin; turning it off must be explicit."
    )
    tokens_env: str = Field(
        TOKEN_VARIABLES["client"],
        description="Environment variable with the API clients' tokens (comma-separated, `name:token` to name one).",
    )
    reviewer_tokens_env: str = Field(
        TOKEN_VARIABLES["reviewer"],
        description="Reviewers' tokens: refused on /v1 and /admin with 403 (they review, in the review app).",
    )
    admin_tokens_env: str = Field(
        TOKEN_VARIABLES["admin"],
        description="Administrators' tokens: the only ones accepted on /admin (they may call /v1 too).",
    )

    def variables(self) -> dict[Role, str]:
        """The environment variable of each role's tokens."""
        return {"client": self.tokens_env, "reviewer": self.reviewer_tokens_env, "admin": self.admin_tokens_env}


class LimitSettings(_Section):
    """How the Gateway protects itself and its callers."""

    max_body_bytes: int = Field(262_144, ge=1024, description="Largest request body; more is answered 413.")
    request_timeout_s: float = Field(
        30.0,
        gt=0.0,
        description="Deadline of one request inside the Gateway (504 after it). Keep it under the proxy's "
        "http_options.request_timeout_s, which answers a bare 408.",
    )
    retry_after_s: int = Field(1, ge=0, description="Retry-After of the 503 answers the Gateway produces.")


class AuditSettings(_Section):
    """The audit trail: one JSON line per answered decision."""

    log: str = Field(
        "audit/mail2ticket-audit.jsonl",
        description="JSON-lines audit file (one line per decision answered 200); a relative path is relative "
        "to the replica's working directory (`mail2ticket serve` makes it absolute).",
    )
    email: AuditEmail = Field(
        "hash", description="E-mail text in the audit log: hash (sha256, default), redact (length only) or keep."
    )
    fsync: bool = Field(False, description="fsync after every audit line (slower; survives a power cut).")

    def path(self) -> Path:
        """The audit file, absolute."""
        return Path(self.log).expanduser().absolute()


class ReviewSettings(_Section):
    """The human-review queue: decisions that need a human are written there by the Gateway."""

    enabled: bool = Field(
        True, description="Write every decision that needs review (needs_review) to the review queue."
    )
    database_url_env: str = Field(
        "MAIL2TICKET_REVIEW_DATABASE_URL",
        description="Environment variable with the review database's SQLAlchemy URL (a Secret on the cluster).",
    )
    outbox: str = Field(
        "review/outbox",
        description="Durable outbox folder: items the database could not take yet wait there and are delivered "
        "later; a relative path is relative to the replica's working directory (`mail2ticket serve` makes it "
        "absolute).",
    )

    def outbox_path(self) -> Path:
        """The outbox folder, absolute."""
        return Path(self.outbox).expanduser().absolute()


class AppSettings(_Section):
    """What one mail2ticket application serves and how it protects itself."""

    engine: EngineSettings = Field(default_factory=EngineSettings, description="The inference engine.")
    model: ModelSettings = Field(default_factory=ModelSettings, description="The classifier adapter served.")
    batching: BatchingSettings = Field(default_factory=BatchingSettings, description="The Engine's batches.")
    agents: AgentSettings = Field(default_factory=AgentSettings, description="Review thresholds and extraction.")
    auth: AuthSettings = Field(default_factory=AuthSettings, description="Bearer tokens.")
    limits: LimitSettings = Field(default_factory=LimitSettings, description="Body size, deadline, Retry-After.")
    audit: AuditSettings = Field(default_factory=AuditSettings, description="The audit trail.")
    review: ReviewSettings = Field(
        default_factory=ReviewSettings, description="The human-review queue the Gateway writes to."
    )

    def threshold(self, category: str, calibration: Calibration | None = None) -> float:
        """Review threshold of ``category``: the override, else the calibrated one, else the taxonomy's."""
        if category in self.agents.review_thresholds:
            return float(self.agents.review_thresholds[category])
        return review_threshold(load_taxonomy(), calibration, category)


class ServeConfigError(ValueError):
    """A Serve config this application refuses; the message names the application and the key."""


def our_applications(config: dict[str, Any]) -> list[dict[str, Any]]:
    """The applications of a Serve config that run this application (other import paths are left alone)."""
    return [a for a in config.get("applications") or [] if a.get("import_path") == APP_IMPORT_PATH]


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _model_keys(model: type[BaseModel]) -> dict[str, Any]:
    """The keys a pydantic model reads (field names and aliases), each with its field's annotation."""
    keys: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        for key in (name, field.alias, field.validation_alias):
            if isinstance(key, str):
                keys[key] = field.annotation
    return keys


def unknown_keys(annotation: Any, value: Any, path: str = "") -> list[str]:
    """The keys of ``value`` that the pydantic type ``annotation`` would silently drop.

    Ray Serve's config models (``ServeDeploySchema`` and the models under it) accept unknown
    keys "to be forward-compatible" and ignore them, so ``num_replica: 4`` or a misplaced
    ``autoscaling_config`` deploys without error and without effect. This walks the value along
    the models' fields: a mapping given where a model is accepted (alone, in a ``Union`` or
    ``Optional``, or as list items) must use only that model's keys. Free-form fields (``args``,
    ``runtime_env``, ``user_config``: ``Dict`` or ``Any``) are not walked.
    """
    if _is_model(annotation):
        if not isinstance(value, Mapping):
            return []
        keys = _model_keys(annotation)
        found = []
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if key not in keys:
                found.append(where)
            else:
                found.extend(unknown_keys(keys[key], item, where))
        return found
    origin, args = get_origin(annotation), get_args(annotation)
    if origin in (Union, types.UnionType):
        models = [a for a in args if _is_model(a)]
        if isinstance(value, Mapping) and models:
            return unknown_keys(models[0], value, path)
        sequences = [a for a in args if get_origin(a) is list]
        return unknown_keys(sequences[0], value, path) if sequences and isinstance(value, list) else []
    if origin is list and args and isinstance(value, list):
        return [key for i, item in enumerate(value) for key in unknown_keys(args[0], item, f"{path}[{i}]")]
    if origin is dict and len(args) == 2 and isinstance(value, Mapping):
        return [key for k, item in value.items() for key in unknown_keys(args[1], item, f"{path}.{k}")]
    return []


def check_ray_serve_schema(config: dict[str, Any]) -> None:
    """Validate a Serve config with Ray Serve's own schema, unknown keys refused.

    ``ServeDeploySchema`` is what Ray's dashboard validates a config with when KubeRay submits
    the RayService's ``serveConfigV2`` (or ``serve deploy`` does); it checks types and values but
    drops keys it does not know, so a typo there only shows as a setting that never applies.
    This refuses those keys too (:func:`unknown_keys`).
    """
    from ray.serve.schema import ServeDeploySchema

    unknown = unknown_keys(ServeDeploySchema, config)
    if unknown:
        raise ServeConfigError(
            f"not a valid Serve config: unknown keys (Ray Serve would ignore them): {', '.join(unknown)}"
        )
    try:
        ServeDeploySchema.model_validate(config)
    except ValidationError as exc:
        raise ServeConfigError(f"not a valid Serve config: {exc}") from None


def check_serve_config(config: dict[str, Any]) -> list[AppSettings]:
    """Validate a Serve config, and every application of it whose import path is this application's.

    The whole config must pass Ray Serve's schema with no unknown key
    (:func:`check_ray_serve_schema`). Our applications' args must be valid :class:`AppSettings`,
    and the Engine deployment must not set the options its batching decides
    (:data:`DERIVED_ENGINE_OPTIONS`): written in the config they would override the derived
    values and let the two disagree. ``mail2ticket serve`` calls it before starting Ray; the
    Helm chart's tests call it on the config the chart renders.
    """
    check_ray_serve_schema(config)
    checked = []
    for application in our_applications(config):
        name = application.get("name")
        try:
            checked.append(AppSettings.model_validate(application.get("args") or {}))
        except ValidationError as exc:
            raise ServeConfigError(f"application {name!r}: {exc}") from None
        for deployment in application.get("deployments") or []:
            written = sorted(set(deployment) & set(DERIVED_ENGINE_OPTIONS))
            if deployment.get("name") == ENGINE_DEPLOYMENT and written:
                raise ServeConfigError(
                    f"application {name!r}: deployment {ENGINE_DEPLOYMENT} sets {', '.join(written)}: these follow "
                    "from args.batching (max_batch_size, queued_batches); set those instead"
                )
    return checked


def merge_args(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``changes`` applied section by section (a nested mapping merges, a value replaces).

    A dotted key (``batching.max_batch_size``) names a nested value, as ``mail2ticket serve
    --set`` writes it.
    """
    merged = copy.deepcopy(base)
    for key, value in changes.items():
        *sections, name = key.split(".")
        target = merged
        for section in sections:
            target = target.setdefault(section, {})
            if not isinstance(target, dict):
                raise ValueError(f"{key}: {section} is not a section of the settings")
        if isinstance(value, dict) and isinstance(target.get(name), dict):
            target[name] = merge_args(target[name], value)
        else:
            target[name] = copy.deepcopy(value)
    return merged


def engine_handle(bound: Any, settings: AppSettings) -> Any:
    """The Engine to call: the one bound in this application, or ``engine.app``'s."""
    if bound is not None:
        return bound
    from ray import serve

    return serve.get_deployment_handle(ENGINE_DEPLOYMENT, app_name=settings.engine.app)


__all__ = [
    "APP_IMPORT_PATH",
    "DERIVED_ENGINE_OPTIONS",
    "ENGINE_DEPLOYMENT",
    "AgentSettings",
    "AppSettings",
    "AuditEmail",
    "AuditSettings",
    "AuthSettings",
    "BatchingSettings",
    "EngineSettings",
    "ExtractorModelSettings",
    "LimitSettings",
    "ModelSettings",
    "ReviewSettings",
    "ServeConfigError",
    "check_ray_serve_schema",
    "check_serve_config",
    "engine_handle",
    "merge_args",
    "our_applications",
    "unknown_keys",
]
