"""The chart's pipeline upload job: idempotent, through the real ``kfp.Client``.

No KFP API server runs here, so a local HTTP server answers the KFP v2beta1 REST paths the
client calls (healthz, list pipelines and versions filtered by display name, multipart
uploads) and keeps what was uploaded: the test checks what reached the server.
"""

from __future__ import annotations

import itertools
import json
import threading
import urllib.parse
from pathlib import Path

import pytest

from infra.kfp_upload import DEFAULT_PIPELINE_NAME, ensure_pipeline, main, version_name
from tests.infra.servers import Route, http_server

PACKAGE = Path(__file__).resolve().parents[2] / "helm" / "mail2ticket" / "files" / "ticket_classifier.yaml"


class FakeKfp:
    """The state of a KFP API server: pipelines and their versions, as the v2beta1 API shows them."""

    def __init__(self) -> None:
        self.pipelines: dict[str, dict] = {}
        self.versions: dict[str, list[dict]] = {}
        self.uploads: list[tuple[str, dict[str, str], bytes]] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    @staticmethod
    def _display_name_filter(query: dict[str, list[str]]) -> str | None:
        if "filter" not in query:
            return None
        (predicate,) = json.loads(query["filter"][0])["predicates"]
        # Protobuf JSON: the enum by name ("EQUALS") or by number (1, what kfp.Client sends).
        assert predicate["key"] == "display_name" and predicate["operation"] in ("EQUALS", 1)
        return predicate["stringValue"]

    def handle(self, method: str, path: str, body: bytes) -> Route:
        url = urllib.parse.urlsplit(path)
        query = urllib.parse.parse_qs(url.query)
        with self._lock:
            if method == "GET" and url.path == "/apis/v2beta1/healthz":
                return 200, {"multi_user": False}
            if method == "GET" and url.path == "/apis/v2beta1/pipelines":
                wanted = self._display_name_filter(query)
                found = [p for p in self.pipelines.values() if wanted in (None, p["display_name"])]
                return 200, {"pipelines": found, "total_size": len(found)} if found else {}
            if method == "GET" and url.path.endswith("/versions"):
                pipeline_id = url.path.split("/")[-2]
                wanted = self._display_name_filter(query)
                found = [v for v in self.versions.get(pipeline_id, []) if wanted in (None, v["display_name"])]
                return 200, {"pipeline_versions": found, "total_size": len(found)} if found else {}
            if method == "POST" and url.path == "/apis/v2beta1/pipelines/upload":
                params = {k: v[0] for k, v in query.items()}
                self.uploads.append(("pipeline", params, body))
                pipeline_id = f"p-{next(self._ids)}"
                pipeline = {"pipeline_id": pipeline_id, "display_name": params["name"]}
                self.pipelines[pipeline_id] = pipeline
                # KFP creates a first version named after the pipeline.
                first = {"pipeline_id": pipeline_id, "pipeline_version_id": f"v-{next(self._ids)}"}
                self.versions[pipeline_id] = [{**first, "display_name": params["name"]}]
                return 200, pipeline
            if method == "POST" and url.path == "/apis/v2beta1/pipelines/upload_version":
                params = {k: v[0] for k, v in query.items()}
                self.uploads.append(("version", params, body))
                version = {"pipeline_id": params["pipelineid"], "pipeline_version_id": f"v-{next(self._ids)}",
                           "display_name": params["name"]}  # fmt: skip
                self.versions.setdefault(params["pipelineid"], []).append(version)
                return 200, version
        return 404, {"error": f"no route {method} {url.path}"}


@pytest.fixture
def kfp_server() -> tuple[FakeKfp, str]:
    state = FakeKfp()
    with http_server(state.handle) as url:
        yield state, url


def client(url: str):
    import kfp

    with pytest.warns(FutureWarning):  # kfp warns it needs a v2 backend: this emulates one
        return kfp.Client(host=url)


def test_first_install_creates_the_pipeline_and_its_version(kfp_server: tuple[FakeKfp, str]) -> None:
    state, url = kfp_server
    outcome = ensure_pipeline(client(url), PACKAGE, DEFAULT_PIPELINE_NAME, "0.1.0-abcdef12")
    assert outcome.pipeline_created and outcome.version_uploaded
    (pipeline_id,) = state.pipelines
    assert state.pipelines[pipeline_id]["display_name"] == DEFAULT_PIPELINE_NAME
    names = [v["display_name"] for v in state.versions[pipeline_id]]
    assert names == [DEFAULT_PIPELINE_NAME, "0.1.0-abcdef12"]
    # The package reached the server as the multipart file of both uploads.
    assert [kind for kind, _, _ in state.uploads] == ["pipeline", "version"]
    assert all(b"mail2ticket-ticket-classifier" in body and b"uploadfile" in body for _, _, body in state.uploads)


def test_rerunning_the_same_release_uploads_nothing(kfp_server: tuple[FakeKfp, str]) -> None:
    state, url = kfp_server
    ensure_pipeline(client(url), PACKAGE, DEFAULT_PIPELINE_NAME, "0.1.0-abcdef12")
    uploads = len(state.uploads)
    again = ensure_pipeline(client(url), PACKAGE, DEFAULT_PIPELINE_NAME, "0.1.0-abcdef12")
    assert not again.pipeline_created and not again.version_uploaded
    assert len(state.uploads) == uploads


def test_an_upgrade_adds_a_version_to_the_existing_pipeline(kfp_server: tuple[FakeKfp, str]) -> None:
    state, url = kfp_server
    first = ensure_pipeline(client(url), PACKAGE, DEFAULT_PIPELINE_NAME, "0.1.0-abcdef12")
    upgrade = ensure_pipeline(client(url), PACKAGE, DEFAULT_PIPELINE_NAME, "0.2.0-12345678")
    assert upgrade.pipeline_id == first.pipeline_id and not upgrade.pipeline_created and upgrade.version_uploaded
    assert len(state.pipelines) == 1
    assert [v["display_name"] for v in state.versions[first.pipeline_id]][-2:] == ["0.1.0-abcdef12", "0.2.0-12345678"]


def test_version_name_is_chart_version_and_content_hash(tmp_path: Path) -> None:
    import hashlib

    assert version_name("0.1.0", PACKAGE) == "0.1.0-" + hashlib.sha256(PACKAGE.read_bytes()).hexdigest()[:8]
    changed = tmp_path / "p.yaml"
    changed.write_bytes(PACKAGE.read_bytes() + b"\n# changed\n")
    assert version_name("0.1.0", changed) != version_name("0.1.0", PACKAGE)


def test_main_prints_one_json_line(kfp_server: tuple[FakeKfp, str], capsys: pytest.CaptureFixture[str]) -> None:
    _, url = kfp_server
    with pytest.warns(FutureWarning):
        code = main(["--host", url, "--package", str(PACKAGE), "--version", "0.1.0-abcdef12"])
    assert code == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert json.loads(last) == {"pipeline_id": "p-1", "version": "0.1.0-abcdef12", "pipeline_created": True,
                                "version_uploaded": True}  # fmt: skip


def test_main_fails_with_one_line_when_kfp_is_unreachable(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.warns(FutureWarning):
        code = main(["--host", "http://127.0.0.1:9", "--package", str(PACKAGE), "--chart-version", "0.1.0"])
    assert code == 1
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and error[0].startswith(f"error: cannot upload {PACKAGE} to http://127.0.0.1:9:")
