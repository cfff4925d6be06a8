"""The application builder: ``import_path: serving.app:build_app`` in ``serving/config.yaml``.

``serve run serving/config.yaml``, a KubeRay ``RayService`` (the Helm chart embeds the same
file) and ``mail2ticket serve`` all end here. Ray Serve calls :func:`build_app` with the
application's ``args``; per-deployment settings (replicas, ``max_ongoing_requests``,
``max_queued_requests``, CPUs, GPUs) come from the ``deployments:`` section of the config and
override the defaults written on the classes, except the Engine's ``max_ongoing_requests`` and
``max_queued_requests``, which follow from ``args.batching`` and are set here.

The graph (paper, section 4: N+1 agents under an orchestrator)::

    Gateway (FastAPI ingress, orchestrator)
      ├── Classifier ──┐
      └── Extractor ───┴── Engine (base model + LoRA adapters, batched)
"""

from __future__ import annotations

from typing import Any

from ray.serve import Application

from serving.agents import Classifier, Extractor
from serving.engine_deployment import Engine
from serving.gateway import Gateway
from serving.settings import ENGINE_DEPLOYMENT, AppSettings

DEPLOYMENTS = {"Gateway": Gateway, "Classifier": Classifier, "Extractor": Extractor, ENGINE_DEPLOYMENT: Engine}


def build_app(args: dict[str, Any]) -> Application:
    """The application builder Serve calls with the config's ``args`` (exactly one parameter)."""
    return build(args)


def deployment_options(settings: AppSettings, overrides: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """The ``.options()`` of each deployment: ``overrides`` (the config's section), and the Engine's admission.

    The Engine runs ``max_batch_size`` requests per replica and each caller queues
    ``queued_batches`` batches more (:meth:`~serving.settings.BatchingSettings.engine_options`):
    set here from the batching, so the two always agree.
    """
    overrides = overrides or {}
    unknown = sorted(set(overrides) - set(DEPLOYMENTS))
    if unknown:
        raise ValueError(f"unknown deployment(s) {', '.join(unknown)}; this application has {', '.join(DEPLOYMENTS)}")
    options = {name: dict(overrides.get(name) or {}) for name in DEPLOYMENTS}
    options[ENGINE_DEPLOYMENT].update(settings.batching.engine_options())
    return options


def build(args: dict[str, Any] | None = None, deployments: dict[str, dict[str, Any]] | None = None) -> Application:
    """The bound application for ``args`` (validated by :class:`AppSettings`).

    ``deployments`` maps a deployment name to ``.options()`` overrides: what ``mail2ticket
    serve`` passes from the config's ``deployments:`` section (Serve applies that section
    itself for ``serve run`` and in the cluster).
    """
    settings = AppSettings.model_validate(args or {})
    raw = settings.model_dump(mode="json")
    options = deployment_options(settings, deployments)

    def configured(name: str) -> Any:
        return DEPLOYMENTS[name].options(**options[name]) if options[name] else DEPLOYMENTS[name]

    # With engine.app, this application has no Engine of its own: its agents call that one's.
    engine = None if settings.engine.app else configured(ENGINE_DEPLOYMENT).bind(raw)
    classifier = configured("Classifier").bind(engine, raw)
    extractor = configured("Extractor").bind(engine, raw)
    return configured("Gateway").bind(classifier, extractor, engine, raw)
