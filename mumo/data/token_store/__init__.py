"""The token store: music and motion codes of every clip in memory-mapped shards, with an index of captions,
durations and splits. Layout in :mod:`mumo.data.token_store.layout`."""

from mumo.data.token_store.layout import StoreMeta, TokenItem, TokenizerInfo
from mumo.data.token_store.reader import TokenStore
from mumo.data.token_store.writer import TokenStoreWriter, new_store_meta

__all__ = ["StoreMeta", "TokenItem", "TokenStore", "TokenStoreWriter", "TokenizerInfo", "new_store_meta"]
