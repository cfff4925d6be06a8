"""Ray Serve application of mail2ticket: a Gateway, a Classifier agent, the extractor agents, one Engine.

Start it with ``mail2ticket serve`` (local Ray) or ``serve run serving/config.yaml``; the Helm
chart's RayService embeds the same config. See :mod:`serving.app` for the deployment graph.
"""

from pathlib import Path

DEFAULT_CONFIG = Path(__file__).with_name("config.yaml")

__all__ = ["DEFAULT_CONFIG"]
