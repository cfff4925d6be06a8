"""Where models come from and where they go: base models, adapters, MLflow tracking and promotion.

- :mod:`.models`: a base model spec (``embedded:NAME``, a folder, an ``s3://`` prefix) to a local folder;
- :mod:`.adapters`: an adapter's metadata and compatibility checks, and its resolution from a
  folder, an ``s3://`` prefix or the registry (``models:/NAME/VERSION``);
- :mod:`.cache`: the one local cache those downloads and conversions share;
- :mod:`.tracking`: the MLflow server, run tags, registry names;
- :mod:`.promotion`: champion / challenger.

Nothing here imports MLflow until it is used: serving's Engine and the CLI import this package
on every start.
"""

from mail2ticket.registry.adapters import (
    ADAPTER_METADATA,
    AdapterError,
    check_compatible,
    checked_metadata,
    read_metadata,
    registry_ref,
    resolve_adapter,
    version_by_alias,
    write_metadata,
)
from mail2ticket.registry.cache import cache_dir
from mail2ticket.registry.models import DEFAULT_MODEL, ModelError, resolve_model
from mail2ticket.registry.promotion import PromotionDecision, PromotionPolicy, promote
from mail2ticket.registry.tracking import CHALLENGER, CHAMPION, REGISTERED_MODEL, TrackingError

__all__ = [
    "ADAPTER_METADATA",
    "CHALLENGER",
    "CHAMPION",
    "DEFAULT_MODEL",
    "REGISTERED_MODEL",
    "AdapterError",
    "ModelError",
    "PromotionDecision",
    "PromotionPolicy",
    "TrackingError",
    "cache_dir",
    "check_compatible",
    "checked_metadata",
    "promote",
    "read_metadata",
    "registry_ref",
    "resolve_adapter",
    "resolve_model",
    "version_by_alias",
    "write_metadata",
]
