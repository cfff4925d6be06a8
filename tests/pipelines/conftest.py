"""What the pipeline tests share: cluster settings as a fresh clone compiles them."""

from __future__ import annotations

import pytest

from pipelines.cluster import ClusterSettings

#: The compile-time variables of the pipelines (pipelines.cluster, pipelines.drift).
CLUSTER_VARIABLES = (
    "MAIL2TICKET_GPU_NODE_SELECTOR", "MAIL2TICKET_GPU_TOLERATIONS", "MAIL2TICKET_IMAGE_PULL_SECRETS",
    "MAIL2TICKET_MLFLOW_AUTH", "MAIL2TICKET_AUDIT_CLAIM", "MAIL2TICKET_AUDIT_MOUNT",
)  # fmt: skip


@pytest.fixture
def default_settings(monkeypatch: pytest.MonkeyPatch) -> ClusterSettings:
    """The settings of the committed YAML: none of the compile-time variables set."""
    for name in CLUSTER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return ClusterSettings()
