"""Datasets of paired music and dance clips and the token store (the Lightning DataModule is in
:mod:`mumo.data.datamodule`)."""

from mumo.data.data_config import TokenDataConfig
from mumo.data.token_store import TokenStore, TokenStoreWriter

__all__ = ["TokenDataConfig", "TokenStore", "TokenStoreWriter"]
