"""One rendering of the chart per values file for the whole session (rendering is the slow part)."""

from __future__ import annotations

import pytest

from tests.helm.chart import PROFILES, Rendered, profile_values, render


@pytest.fixture(scope="session")
def renders() -> dict[str, Rendered]:
    """The chart rendered with its defaults, values-onprem.yaml and values-secnumcloud.yaml."""
    return {profile: render(profile_values(profile), profile) for profile in PROFILES}


@pytest.fixture(params=list(PROFILES), ids=list(PROFILES))
def rendered(request: pytest.FixtureRequest, renders: dict[str, Rendered]) -> Rendered:
    """Each profile in turn: a test that takes this fixture runs once per values file."""
    return renders[request.param]
