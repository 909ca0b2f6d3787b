"""Datasets of paired music and dance clips, the token store, and the Lightning DataModule.

``TokenDataModule``, ``TokenDataConfig``, ``TokenStore`` and ``TokenStoreWriter`` are imported on first use,
so reading a dataset index does not import Lightning.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "TokenDataConfig": "mumo.data.datamodule",
    "TokenDataModule": "mumo.data.datamodule",
    "TokenStore": "mumo.data.token_store",
    "TokenStoreWriter": "mumo.data.token_store",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'mumo.data' has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY[name]), name)
