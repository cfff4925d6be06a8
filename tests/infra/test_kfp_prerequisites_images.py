"""Air gap: every image Kubeflow Pipelines 2.14.3 runs comes from the private registry.

The pinned upstream manifests are vendored (third_party/kubeflow-pipelines-2.14.3 and
third_party/argo-workflows-v3.6.7). Every image reference in them is enumerated: container and
init container ``image`` fields, and the images named in values (the API server's
V2_DRIVER_IMAGE/V2_LAUNCHER_IMAGE, Argo's ``--executor-image``, the install ConfigMap's
``cacheImage``) that kustomize's ``images:`` does not rewrite. Our kustomization
(infra/prerequisites/kubeflow-pipelines) is then evaluated on each: in Python (always), and with
a real kustomize (``kubectl kustomize``) on the whole tree, which also proves the vendored tree
builds without network access.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
KUSTOMIZATION_DIR = REPO_ROOT / "infra" / "prerequisites" / "kubeflow-pipelines"
VENDORED = [
    REPO_ROOT / "third_party" / "kubeflow-pipelines-2.14.3",
    REPO_ROOT / "third_party" / "argo-workflows-v3.6.7",
]
PRIVATE_REGISTRY = "registry.internal/"
PREREQ_README = REPO_ROOT / "infra" / "prerequisites" / "README.md"

#: An image reference: [registry/]path[:tag][@digest].
IMAGE_RE = re.compile(
    r"(?:[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?/)?[a-z0-9]+(?:(?:[._]|__|-+|/)[a-z0-9]+)*"
    r"(?::[\w][\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?"
)


@dataclass(frozen=True)
class ImageRef:
    """One image reference in a manifest: where it is and how it is named there."""

    file: str
    kind: str
    name: str
    field: str  # "image", "env:<NAME>", "arg:<flag>" or "data:<key>"
    container: str
    value: str


def is_image(value: Any) -> bool:
    """Whether a string is an image reference (a bare word is not: it needs a registry, a path or a tag)."""
    return isinstance(value, str) and bool(IMAGE_RE.fullmatch(value)) and ("/" in value or ":" in value)


def split_image(ref: str) -> tuple[str, str, str]:
    """``(name, tag, digest)`` of an image reference; a port in the registry is not a tag."""
    ref, _, digest = ref.partition("@")
    slash = ref.rfind("/")
    colon = ref.rfind(":")
    if colon > slash:
        return ref[:colon], ref[colon + 1 :], digest
    return ref, "", digest


def _containers(obj: dict[str, Any]) -> Iterator[dict[str, Any]]:
    spec = obj.get("spec") or {}
    pod = (spec.get("template") or {}).get("spec") or spec.get("jobTemplate", {}).get("spec", {}).get(
        "template", {}
    ).get("spec", {})
    for key in ("initContainers", "containers"):
        yield from pod.get(key) or []


def _object_refs(path: Path, obj: dict[str, Any]) -> Iterator[ImageRef]:
    kind, name = obj.get("kind", ""), (obj.get("metadata") or {}).get("name", "")
    where = str(path.relative_to(REPO_ROOT))
    for container in _containers(obj):
        cname = container.get("name", "")
        if "image" in container:
            yield ImageRef(where, kind, name, "image", cname, container["image"])
        for env in container.get("env") or []:
            if is_image(env.get("value")):
                yield ImageRef(where, kind, name, f"env:{env['name']}", cname, env["value"])
        args = [str(a) for a in (container.get("args") or []) + (container.get("command") or [])]
        for before, arg in zip(["", *args], args, strict=False):
            if "image" in before.lower() and is_image(arg):
                yield ImageRef(where, kind, name, f"arg:{before}", cname, arg)
    if kind == "ConfigMap":
        for key, value in (obj.get("data") or {}).items():
            if "image" in key.lower() and is_image(str(value).strip()):
                yield ImageRef(where, kind, name, f"data:{key}", "", str(value).strip())


def upstream_image_refs() -> list[ImageRef]:
    """Every image reference in the vendored manifests (resources and upstream patches alike)."""
    refs: list[ImageRef] = []
    for root in VENDORED:
        for path in sorted(root.rglob("*.yaml")):
            if path.name == "kustomization.yaml":
                continue
            for obj in yaml.safe_load_all(path.read_text(encoding="utf-8")):
                if isinstance(obj, dict):
                    refs.extend(_object_refs(path, obj))
    return refs


def kustomization() -> dict[str, Any]:
    return yaml.safe_load((KUSTOMIZATION_DIR / "kustomization.yaml").read_text(encoding="utf-8"))


def apply_images(ref: str, images: list[dict[str, Any]]) -> str:
    """kustomize's ``images:`` transformer on one container image: matched by name, tag and digest ignored."""
    name, tag, _digest = split_image(ref)
    for entry in images:
        if entry["name"] == name:
            new_name = entry.get("newName", name)
            if "digest" in entry:
                return f"{new_name}@{entry['digest']}"
            new_tag = str(entry.get("newTag", tag))
            return f"{new_name}:{new_tag}" if new_tag else new_name
    return ref


def _patches_for(kind: str, name: str) -> Iterator[Any]:
    for patch in kustomization().get("patches") or []:
        target = patch.get("target") or {}
        if target.get("kind") == kind and target.get("name") == name:
            yield yaml.safe_load(patch["patch"])


def patched_value(ref: ImageRef) -> str | None:
    """The value our kustomization's patches give the env var, argument or ConfigMap key of ``ref``."""
    field, _, key = ref.field.partition(":")
    for patch in _patches_for(ref.kind, ref.name):
        if isinstance(patch, list) and field == "arg":  # JSON 6902: a test op guards the replaced index
            guard = next((op for op in patch if op["op"] == "test" and op["value"] == key), None)
            for op in patch:
                if guard and op["op"] == "replace" and op["path"].endswith(f"/args/{int(guard['path'][-1]) + 1}"):
                    return op["value"]
        elif isinstance(patch, dict) and field == "env":
            for container in _containers(patch):
                if container["name"] == ref.container:
                    for env in container.get("env") or []:
                        if env["name"] == key:
                            return env.get("value")
        elif isinstance(patch, dict) and field == "data" and key in (patch.get("data") or {}):
            return patch["data"][key]
    return None


def resolved(ref: ImageRef) -> str:
    """What the cluster pulls for ``ref`` once our kustomization is applied."""
    if ref.field == "image":
        return apply_images(ref.value, kustomization().get("images") or [])
    return patched_value(ref) or ref.value


def test_the_vendored_manifests_name_the_images_we_know_of() -> None:
    """The enumeration finds all kinds of references (a broken walker would find none and pass)."""
    refs = upstream_image_refs()
    fields = {r.field for r in refs}
    assert {
        "image",
        "env:V2_DRIVER_IMAGE",
        "env:V2_LAUNCHER_IMAGE",
        "arg:--executor-image",
        "data:cacheImage",
    } <= fields
    names = {split_image(r.value)[0] for r in refs}
    assert {
        "ghcr.io/kubeflow/kfp-api-server",
        "quay.io/argoproj/argoexec",
        "mysql",
        "gcr.io/ml-pipeline/minio",
    } <= names
    assert len(names) >= 18, sorted(names)


@pytest.mark.parametrize("ref", upstream_image_refs(), ids=lambda r: f"{r.name}/{r.container}/{r.field}={r.value}")
def test_every_upstream_image_is_redirected_to_the_private_registry(ref: ImageRef) -> None:
    pulled = resolved(ref)
    assert pulled.startswith(PRIVATE_REGISTRY), f"{ref.file}: {ref.field} still pulls {pulled}"
    _name, tag, digest = split_image(pulled)
    assert tag or digest, f"{pulled}: mirror under a pinned tag or digest"
    assert tag != "latest", pulled


def upstream_images_entries() -> list[dict[str, Any]]:
    """The ``images:`` entries of the vendored kustomizations (KFP's files say ``:dummy`` and set the tag there)."""
    entries: list[dict[str, Any]] = []
    for root in VENDORED:
        for path in sorted(root.rglob("kustomization.yaml")):
            entries.extend(yaml.safe_load(path.read_text(encoding="utf-8")).get("images") or [])
    return entries


def test_mirrored_images_keep_the_upstream_tags() -> None:
    """The mirror holds the same versions as upstream: ``images:`` entries set the tag upstream deploys."""
    upstream_tags: dict[str, set[str]] = {}
    for ref in upstream_image_refs():
        name, tag, _ = split_image(apply_images(ref.value, upstream_images_entries()))
        if ref.field == "image" and tag and tag != "latest":
            upstream_tags.setdefault(name, set()).add(tag)
    for entry in kustomization()["images"]:
        assert entry["name"] in upstream_tags, f"{entry['name']}: no vendored manifest uses it (stale entry)"
        assert {str(entry["newTag"])} == upstream_tags[entry["name"]], entry


def test_a_missing_redirect_is_caught() -> None:
    """The evaluator is not vacuous: without our images and patches, public registries remain."""
    refs = upstream_image_refs()
    assert any(not apply_images(r.value, []).startswith(PRIVATE_REGISTRY) for r in refs if r.field == "image")
    env = next(r for r in refs if r.field == "env:V2_DRIVER_IMAGE")
    assert resolved(env).startswith(PRIVATE_REGISTRY) and not env.value.startswith(PRIVATE_REGISTRY)


def _kustomize_command() -> list[str] | None:
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    return None


def _all_strings(obj: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _all_strings(v, str(k))
    elif isinstance(obj, list):
        for item in obj:
            yield from _all_strings(item, key)
    elif isinstance(obj, str):
        yield key, obj


@pytest.mark.skipif(_kustomize_command() is None, reason="neither kustomize nor kubectl on PATH")
def test_real_kustomize_build_pulls_only_from_the_private_registry() -> None:
    """Offline ``kustomize build`` of our kustomization: every image-like string in the output is private."""
    command = _kustomize_command()
    assert command
    built = subprocess.run(
        [*command, str(KUSTOMIZATION_DIR)], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    objects = [o for o in yaml.safe_load_all(built) if o and o.get("kind") != "CustomResourceDefinition"]
    assert any(o["kind"] == "Deployment" and o["metadata"]["name"] == "ml-pipeline" for o in objects)
    found = []
    for obj in objects:
        for key, value in _all_strings(obj):
            if key == "image" or (is_image(value) and ("image" in key.lower() or ("/" in value and ":" in value))):
                found.append(value)
            if value.startswith(("ghcr.io/", "gcr.io/", "quay.io/", "docker.io/")):
                found.append(value)
    assert len(found) >= 18
    public = sorted({v for v in found if not v.startswith(PRIVATE_REGISTRY)})
    assert not public, public


def test_prerequisites_readme_lists_every_image_to_mirror() -> None:
    """The platform team mirrors from this list: every upstream image and its mirror name are in it."""
    text = PREREQ_README.read_text(encoding="utf-8")
    for ref in upstream_image_refs():
        name, tag, _ = split_image(ref.value)
        if tag == "latest":  # the argo base's placeholder, replaced by KFP's own patch
            continue
        assert name in text, f"{name} ({ref.file}) is missing from {PREREQ_README.name}"
        assert split_image(resolved(ref))[0] in text
