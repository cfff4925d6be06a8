"""One real Serve deployment for the whole serving suite (Ray starts once per session).

The champion comes from a real MLflow server: a tiny adapter (one training step) is logged
in a run, registered and given the alias ``champion``, as the pipeline's promote step does.
``mail2ticket serve`` then runs three applications on a local Ray (2 CPUs, 127.0.0.1, a free
port) over one Engine on the embedded model:

* ``mail2ticket`` at ``/``: the shipped ``serving/config.yaml`` application, serving the champion;
* ``llm`` at ``/llm``: the same champion answered by the LLM alone (``agents.classifier: llm``;
  the shipped config serves the cascade, where the classical model answers what it is sure of),
  over the same Engine (``engine.app``); every ticket it answers needs review (thresholds at 1), and
  its review queue is a real PostgreSQL database (the main app's is the embedded SQLite file);
* ``tight`` at ``/tight``: a registered model that does not exist (so the bare base model),
  review thresholds at 0, and tiny ``max_ongoing_requests``/``max_queued_requests`` so that a
  burst overloads it (503 + Retry-After from the proxy and from the Gateway). It has no Engine
  of its own (``engine.app``): one model copy in memory, loaded once.

Everything the server started is stopped at the end (SIGTERM, then kill by PID).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from mail2ticket.taxonomy import UNKNOWN, load_taxonomy
from mail2ticket.testing import LocalPostgresServer
from serving.local import LocalServer, application

TOKEN = "serving-test-token-0d1f7a"
OTHER_TOKEN = "serving-test-token-second"
REVIEWER_TOKEN = "serving-test-reviewer-5c2e"
ADMIN_TOKEN = "serving-test-admin-91b4"
#: The variable that holds the llm app's review database URL.
REVIEW_POSTGRES_ENV = "M2T_TEST_REVIEW_POSTGRES"
MODEL_NAME = "mail2ticket-classifier-serving-test"
EXTRACTOR_NAME = "mail2ticket-extractor-serving-test"
#: How often Ray sends recorded metrics to its Prometheus endpoint here (its default: 10 s; test_metrics.py).
METRICS_REPORT_INTERVAL_MS = 1000
TAXONOMY = load_taxonomy()

TRAINING = [
    ("** PROBLEM Service Alert: srv-web-01/Disk C: is CRITICAL ** Free space 3 %", "Incidents/Supervision"),
    ("Bonjour, pouvez-vous restaurer le dossier \\\\srvfic01\\compta\\2024 dans l'état du 12/03 ?",
     "Demande de service/Backup #BCS/Restauration qualifiée"),
    ("Le job BCK_SRVSQL01_DAILY est en échec depuis deux nuits, merci de relancer.",
     "Incidents/Backup #BCS/Sauvegarde"),
    ("Merci de créer un compte bastion CS2 pour M. Durand sur srv-erp01 en SSH.",
     "Demande de service/Cyber Sécurité #CS2/Bastion/Création-Modification d'entrées"),
]  # fmt: skip


@dataclass(frozen=True)
class Registered:
    name: str
    adapter_dir: Path
    first_version: str


def register(mlflow_uri: str, adapter_dir: Path, macro_f1: float, name: str = MODEL_NAME) -> str:
    """Log ``adapter_dir`` in a run and promote it the way the pipeline does; returns the version."""
    import mlflow

    from mail2ticket.registry.promotion import promote
    from mail2ticket.registry.tracking import client

    mlflow_client = client(mlflow_uri)
    mlflow.set_experiment("serving-tests")
    with mlflow.start_run() as run:
        mlflow.log_artifacts(str(adapter_dir), "adapter")
    metrics = {"macro_f1": macro_f1, "accuracy": macro_f1, "match_rate": 1.0}
    decision = promote(mlflow_client, run.info.run_id, metrics, name=name)
    assert decision.promoted, decision.reason
    return decision.version


@pytest.fixture(scope="session")
def registered(mlflow_server: str, embedded_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Registered:
    from mail2ticket.data.corpus import CorpusConfig, CorpusGenerator
    from mail2ticket.training import TrainingConfig, train_adapter
    from mail2ticket.training.routing import fit_routing

    labels = {category for _, category in TRAINING}
    assert labels <= set(TAXONOMY.labels), labels - set(TAXONOMY.labels)
    adapter_dir = tmp_path_factory.mktemp("adapter") / "adapter"
    config = TrainingConfig(max_steps=1, batch_size=2, gradient_accumulation=1, warmup_steps=0,
                            prompt_style="compact", lora_r=4, lora_alpha=4)  # fmt: skip
    records = [{"email": email, "category": category} for email, category in TRAINING]
    train_adapter(embedded_model_dir, records, adapter_dir, config, base_model="embedded:smollm2-135m")
    # What the training step ships beside the weights: the classical model and the calibration.
    generated = [
        {"email": t.first_email, "category": t.category if t.category in TAXONOMY.labels else UNKNOWN}
        for t in CorpusGenerator(CorpusConfig(tickets=500, seed=21, strategic_share=0.9)).tickets()
    ]
    fit_routing(adapter_dir, embedded_model_dir, generated[:460], generated[460:], TAXONOMY, "compact")
    return Registered(MODEL_NAME, adapter_dir, register(mlflow_server, adapter_dir, 0.5))


#: E-mails with their fields, for the extraction adapter (one training step: its weights barely move).
EXTRACTION_TRAINING = [
    (TRAINING[0][0], TRAINING[0][1], {"hostname": "srv-web-01", "severity": "CRITICAL"}),
    (TRAINING[2][0], TRAINING[2][1], {"job_name": "BCK_SRVSQL01_DAILY"}),
]


@pytest.fixture(scope="session")
def registered_extractor(
    mlflow_server: str, embedded_model_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Registered:
    """The extraction agents' adapter, registered under its own name with the alias ``champion``."""
    from mail2ticket.training import TrainingConfig, train_extractor

    adapter_dir = tmp_path_factory.mktemp("extractor") / "adapter"
    config = TrainingConfig(max_steps=1, batch_size=2, gradient_accumulation=1, warmup_steps=0, lora_r=4,
                            lora_alpha=4, lora_layers=2)  # fmt: skip
    records = [{"email": email, "category": category, "fields": fields} for email, category, fields in
               EXTRACTION_TRAINING]  # fmt: skip
    train_extractor(embedded_model_dir, records, adapter_dir, config, TAXONOMY, "embedded:smollm2-135m")
    version = register(mlflow_server, adapter_dir, 0.5, name=EXTRACTOR_NAME)
    return Registered(EXTRACTOR_NAME, adapter_dir, version)


@dataclass(frozen=True)
class Served:
    url: str
    main_audit: Path
    tight_audit: Path
    llm_audit: Path
    mlflow_uri: str
    registered: Registered
    server: LocalServer
    #: The review queue of the main and tight apps (the embedded SQLite file).
    review_sqlite: str
    #: The llm app's review queue, on the PostgreSQL server a test stops and starts again.
    review_postgres: str
    postgres: LocalPostgresServer
    #: The extraction agents' adapter the main app serves.
    extractor: Registered


CPU = {"Gateway": 0.1, "Classifier": 0.05, "Extractor": 0.05, "Engine": 0.5}


def _cpus(extra: dict[str, dict] | None = None) -> dict[str, dict]:
    options = {name: {"ray_actor_options": {"num_cpus": cpus}} for name, cpus in CPU.items()}
    for name, values in (extra or {}).items():
        options[name] = {**options[name], **values}
    return options


@pytest.fixture(scope="session")
def served(
    registered: Registered,
    registered_extractor: Registered,
    mlflow_server: str,
    postgres_server: LocalPostgresServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("serve")
    review_sqlite = f"sqlite:///{root / 'review' / 'queue.sqlite'}"
    review_postgres = postgres_server.create_database("serving_review")
    main_audit, tight_audit = root / "audit" / "main.jsonl", root / "audit" / "tight.jsonl"
    llm_audit = root / "audit" / "llm.jsonl"
    # A 135M model on 2 cores shared with other work: short extractions, generous deadlines.
    budget = {"agents.extract_max_new_tokens": 32, "limits.request_timeout_s": 240}
    main = application(
        args={
            "model.registered_model": registered.name,
            "model.extractor.registered_model": registered_extractor.name,
            "audit.log": str(main_audit),
            **budget,
        },
        deployments=_cpus(),
    )
    tight = application(
        name="tight",
        route_prefix="/tight",
        args={
            "engine.app": "mail2ticket",
            "model": {"registered_model": "no-such-model", "base_prompt_style": "compact"},
            "limits.request_timeout_s": 240,
            "audit.log": str(tight_audit),
            "agents.extraction": False,
            "agents.review_thresholds": {label: 0.0 for label in TAXONOMY.labels_with_unknown},
        },
        deployments=_cpus(
            {
                # More requests in the Gateway than the Classifier admits: its handle's queue
                # overflows (503 JSON from the Gateway) and so does the proxy's (503 from Serve).
                "Gateway": {"max_ongoing_requests": 16, "max_queued_requests": 2},
                "Classifier": {"max_ongoing_requests": 1, "max_queued_requests": 1},
            }
        ),
    )
    # The champion answered by the LLM alone (the shipped config serves the cascade), on the same Engine.
    llm = application(
        name="llm",
        route_prefix="/llm",
        args={
            "engine.app": "mail2ticket",
            "model.registered_model": registered.name,
            "agents.classifier": "llm",
            "agents.extraction": False,
            # Every ticket goes to review, in its own database (PostgreSQL) through its own outbox.
            "agents.review_thresholds": {label: 1.0 for label in TAXONOMY.labels_with_unknown},
            "review": {"database_url_env": REVIEW_POSTGRES_ENV, "outbox": str(root / "outbox-llm")},
            "audit.log": str(llm_audit),
            **budget,
        },
        deployments=_cpus(),
    )
    server = LocalServer(
        root,
        [main, tight, llm],
        env={
            "MLFLOW_TRACKING_URI": mlflow_server,
            "MAIL2TICKET_API_TOKENS": f"{TOKEN},{OTHER_TOKEN}",
            "MAIL2TICKET_REVIEWER_TOKENS": f"carole:{REVIEWER_TOKEN}",
            "MAIL2TICKET_ADMIN_TOKENS": f"ops:{ADMIN_TOKEN}",
            "MAIL2TICKET_REVIEW_DATABASE_URL": review_sqlite,
            REVIEW_POSTGRES_ENV: review_postgres,
            "RAY_metrics_report_interval_ms": str(METRICS_REPORT_INTERVAL_MS),
        },
        http_timeout_s=300,
    )
    server.start()
    try:
        yield Served(
            server.url, main_audit, tight_audit, llm_audit, mlflow_server, registered, server,
            review_sqlite, review_postgres, postgres_server, registered_extractor,
        )  # fmt: skip
    finally:
        server.stop()
        if (root / "serve.log").is_file():
            shutil.copyfile(root / "serve.log", root / "serve.stopped.log")


@pytest.fixture(scope="session")
def client(served: Served) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served.url, timeout=120, headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        yield http


@pytest.fixture(scope="session")
def admin_client(served: Served) -> Iterator[httpx.Client]:
    """A client with an administrator's token: the only role /admin/reload accepts."""
    with httpx.Client(base_url=served.url, timeout=120, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as http:
        yield http


def audit_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
