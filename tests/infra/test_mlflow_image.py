"""The MLflow version the runtime images install is the one the chart's server flags were written for."""

from __future__ import annotations

import importlib.metadata

from tests.infra.test_images_and_prerequisites import DOCKERFILES, REPO_ROOT, build_args, versions_env


def test_images_pin_the_mlflow_the_chart_and_tests_use() -> None:
    """The tracking server's flags exist only from some MLflow version on: one pin, everywhere."""
    pinned = versions_env()["MLFLOW_VERSION"]
    for dockerfile in DOCKERFILES:
        assert build_args(dockerfile)["MLFLOW_VERSION"] == pinned, dockerfile.name
    constraints = (REPO_ROOT / "constraints.txt").read_text()
    assert f"\nmlflow=={pinned}\n" in f"\n{constraints}\n"
    assert importlib.metadata.version("mlflow") == pinned


def test_mlflow_server_accepts_every_flag_the_chart_passes() -> None:
    """The chart's server arguments, checked by the pinned MLflow's own command-line parser."""
    from click.testing import CliRunner
    from mlflow.cli import server

    from tests.helm.chart import profile_values, render

    for profile in ("onprem", "secnumcloud"):
        rendered = render(profile_values(profile), profile)
        (container,) = rendered.one("Deployment", "-mlflow")["spec"]["template"]["spec"]["containers"]
        flags = {arg.split("=", 1)[0] for arg in container["args"]}
        parameters = {opt for param in server.params for opt in param.opts}
        assert flags <= parameters, flags - parameters
    result = CliRunner().invoke(server, ["--allowed-hosts=a", "--no-such-flag"])
    assert result.exit_code != 0 and "no-such-flag" in result.output
