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
import yaml

from infra.kfp_upload import (
    DEFAULT_PIPELINE_NAME,
    content_version,
    ensure_pipeline,
    main,
    patch_package,
    requests_accelerator,
    version_name,
)
from tests.helm.chart import PROFILES, profile_values, render
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


# --- the site's images and MLflow credentials, written into the package before upload -------------

GPU_EXECUTORS = {
    "exec-train-adapter", "exec-evaluate-candidate", "exec-evaluate-baseline", "exec-train-extractor-adapter",
    "exec-evaluate-extractor", "exec-evaluate-extraction-baseline",
}  # fmt: skip
RUNTIME = "harbor.dc1.internal/m2t/mail2ticket/runtime:0.2.0"
GPU = "harbor.dc1.internal/m2t/mail2ticket/engine-gpu:0.2.0"


def executors(text: str) -> dict[str, dict]:
    return next(yaml.safe_load_all(text))["deploymentSpec"]["executors"]


def secrets_as_env(text: str) -> dict[str, list[dict]]:
    platform = list(yaml.safe_load_all(text))[1]
    configs = platform["platforms"]["kubernetes"]["deploymentSpec"]["executors"]
    return {name: config.get("secretAsEnv", []) for name, config in configs.items()}


def test_gpu_steps_get_the_gpu_image_and_the_others_the_runtime_image() -> None:
    text = PACKAGE.read_text(encoding="utf-8")
    assert {n for n, e in executors(text).items() if requests_accelerator(e)} == GPU_EXECUTORS
    patched = executors(patch_package(text, RUNTIME, GPU))
    assert {n: e["container"]["image"] for n, e in patched.items()} == {
        n: GPU if n in GPU_EXECUTORS else RUNTIME for n in executors(text)
    }
    # Only the images changed: the rest of the executor (command, resources) is as compiled.
    for name, executor in executors(text).items():
        executor["container"]["image"] = patched[name]["container"]["image"]
        assert executor == patched[name]


def test_nothing_to_patch_keeps_the_package_byte_for_byte() -> None:
    text = PACKAGE.read_text(encoding="utf-8")
    assert patch_package(text) is text


def test_mlflow_auth_maps_the_credentials_of_the_mlflow_secret_only() -> None:
    text = PACKAGE.read_text(encoding="utf-8")
    before, after = secrets_as_env(text), secrets_as_env(patch_package(text, mlflow_auth=True))
    auth = {"MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD"}
    for name, secrets in after.items():
        for old, new in zip(before[name], secrets, strict=True):
            old_keys = {e["secretKey"] for e in old["keyToEnv"]}
            new_keys = {e["secretKey"] for e in new["keyToEnv"]}
            assert not old_keys & auth, "the default package must not need the credentials (no optional in 2.14.3)"
            expected = old_keys | auth if "MLFLOW_TRACKING_URI" in old_keys else old_keys
            assert new_keys == expected, (name, new["secretName"])
    assert any("MLFLOW_TRACKING_URI" in str(s) for s in after.values())
    twice = patch_package(patch_package(text, mlflow_auth=True), mlflow_auth=True)
    assert secrets_as_env(twice) == after


def test_main_uploads_the_patched_package_under_its_own_hash(
    kfp_server: tuple[FakeKfp, str], capsys: pytest.CaptureFixture[str]
) -> None:
    state, url = kfp_server
    argv = ["--host", url, "--package", str(PACKAGE), "--chart-version", "0.1.0"]
    with pytest.warns(FutureWarning):
        assert main([*argv, "--runtime-image", RUNTIME, "--gpu-image", GPU]) == 0
    first = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["version"]
    patched = patch_package(PACKAGE.read_text(encoding="utf-8"), RUNTIME, GPU)
    assert first == content_version("0.1.0", patched.encode("utf-8")) != version_name("0.1.0", PACKAGE)
    body = state.uploads[-1][2]
    assert RUNTIME.encode() in body and GPU.encode() in body
    assert b"registry.mail2ticket.internal" not in body
    # Another registry, same chart: a new version, not "already uploaded".
    with pytest.warns(FutureWarning):
        assert main([*argv, "--runtime-image", RUNTIME.replace("dc1", "dc2"), "--gpu-image", GPU]) == 0
    second = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert second["version"] != first and second["version_uploaded"]


def job_args(values: dict, container_name: str = "upload") -> dict[str, str]:
    """One upload container's arguments as the chart renders them (flags without a value map to "").

    The Job has one container per pipeline (``upload`` is the training pipeline's); every one
    gets the same images, pull secrets and MLflow flag.
    """
    containers = render(values).one("Job", "-kfp-upload")["spec"]["template"]["spec"]["containers"]
    (container,) = [c for c in containers if c["name"] == container_name]
    args = dict(([*a.split("=", 1), ""])[:2] for a in container["args"])
    for other in containers:
        others = dict(([*a.split("=", 1), ""])[:2] for a in other["args"])
        shared = ("--runtime-image", "--gpu-image", "--image-pull-secrets", "--mlflow-auth")
        assert {k: others.get(k) for k in shared} == {k: args.get(k) for k in shared}, other["name"]
    return args


def expected_image(values: dict, key: str) -> str:
    """``<global.imageRegistry>/<repository>:<tag>[@digest]`` from the values, as a site configures it."""
    image = values["images"][key]
    ref = f"{values['global']['imageRegistry'].rstrip('/')}/{image['repository']}:{image['tag']}"
    return f"{ref}@{image['digest']}" if image.get("digest") else ref


def merged_values(values: dict) -> dict:
    return render(values).values


@pytest.mark.parametrize("profile", list(PROFILES), ids=list(PROFILES))
def test_every_step_image_comes_from_the_values_registry(profile: str, tmp_path: Path) -> None:
    """Each values file: after the Job's patch, CPU steps run images.runtime, GPU steps images.engine."""
    values = profile_values(profile)
    args, merged = job_args(values), merged_values(values)
    runtime, gpu = expected_image(merged, "runtime"), expected_image(merged, "engine")
    assert args["--runtime-image"] == runtime and args["--gpu-image"] == gpu
    assert ("--mlflow-auth" in args) == bool(merged["mlflow"]["auth"]["enabled"])
    patched = patch_package(
        PACKAGE.read_text(encoding="utf-8"), args["--runtime-image"], args["--gpu-image"], "--mlflow-auth" in args
    )
    for name, executor in executors(patched).items():
        image = executor["container"]["image"]
        assert image == (gpu if name in GPU_EXECUTORS else runtime), name
        assert image.startswith(merged["global"]["imageRegistry"].rstrip("/") + "/")
    if "--mlflow-auth" in args:
        keys = {e["secretKey"] for s in secrets_as_env(patched)["exec-train-adapter"] for e in s["keyToEnv"]}
        assert {"MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD"} <= keys


def test_the_steps_pull_with_the_values_pull_secrets() -> None:
    values = {**profile_values("onprem"), "global": {"imagePullSecrets": ["harbor-robot", "harbor-mirror"]}}
    args = job_args(values)
    assert args["--image-pull-secrets"] == "harbor-robot,harbor-mirror"
    patched = patch_package(
        PACKAGE.read_text(encoding="utf-8"), image_pull_secrets=args["--image-pull-secrets"].split(",")
    )
    platform = list(yaml.safe_load_all(patched))[1]
    configs = platform["platforms"]["kubernetes"]["deploymentSpec"]["executors"]
    assert configs and all(
        [s["secretName"] for s in config["imagePullSecret"]] == ["harbor-robot", "harbor-mirror"]
        for config in configs.values()
    )


def test_a_digest_in_the_values_reaches_the_steps() -> None:
    digest = "sha256:" + "b" * 64
    values = {**profile_values("onprem")}
    values["images"] = {"runtime": {"digest": digest}, "engine": {"tag": "0.3.0"}}
    args = job_args(values)
    patched = executors(
        patch_package(PACKAGE.read_text(encoding="utf-8"), args["--runtime-image"], args["--gpu-image"])
    )
    assert patched["exec-prepare-data"]["container"]["image"].endswith(f"/mail2ticket/runtime:0.1.0@{digest}")
    assert patched["exec-train-adapter"]["container"]["image"].endswith("/mail2ticket/engine-gpu:0.3.0")
