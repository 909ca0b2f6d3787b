"""Reading a token store with memory-mapped index and shards.

Opening a store maps ``index.npy`` and ``strings.bin``; code shards are mapped the first time one of their
clips is read. Nothing is loaded whole, so a store of millions of clips opens in constant memory and each
access reads only the requested frames.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from mumo.data.clips import Split
from mumo.data.token_store.layout import (
    INDEX_ARRAY_FILE,
    SPLITS,
    STORE_FILE,
    STRINGS_FILE,
    StoreMeta,
    TokenItem,
    shard_paths,
)
from mumo.errors import DataError


class TokenStore:
    """Random access to the clips of a finished token store.

    Args:
        root: the store directory written by :class:`~mumo.data.token_store.writer.TokenStoreWriter`.

    Raises:
        DataError: the directory is not a token store, or its building did not finish.

    Instances pickle without their memory maps (they are re-opened lazily), so they can be sent to
    DataLoader worker processes.
    """

    def __init__(self, root: str | Path):
        self.root = Path(root)
        meta_path = self.root / STORE_FILE
        if not meta_path.is_file():
            raise DataError(
                f"{self.root}: not a token store (missing {STORE_FILE}); "
                "build one with `mumo tokenize dataset`"
            )
        try:
            data = json.loads(meta_path.read_text())
        except json.JSONDecodeError as exc:
            raise DataError(f"{meta_path}: not valid JSON ({exc}); rebuild the store") from None
        self.meta = StoreMeta.from_dict(data, str(meta_path))
        if not self.meta.complete:
            raise DataError(
                f"{self.root}: token store building did not finish; "
                "re-run `mumo tokenize dataset` to resume it"
            )
        self._index: np.ndarray | None = None
        self._strings: np.ndarray | None = None
        self._shards: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    @property
    def index(self) -> np.ndarray:
        """The memory-mapped index rows (:data:`~mumo.data.token_store.layout.INDEX_DTYPE`)."""
        if self._index is None:
            self._index = np.load(self.root / INDEX_ARRAY_FILE, mmap_mode="r")
        return self._index

    @property
    def frame_rate(self) -> float:
        """Code frames per second, Hz."""
        return self.meta.frame_rate

    def __len__(self) -> int:
        return len(self.index)

    def indices(self, split: Split | None = None) -> np.ndarray:
        """Row numbers ``[N]`` (int64) of all clips, or of one split's clips."""
        if split is None:
            return np.arange(len(self), dtype=np.int64)
        if split not in SPLITS:
            raise DataError(f"unknown split {split!r}, expected one of {SPLITS}")
        return np.flatnonzero(self.index["split"] == SPLITS.index(split)).astype(np.int64)

    def lengths(self) -> np.ndarray:
        """Stored code frames ``T`` of every clip, ``[N]`` int64."""
        return np.asarray(self.index["length"], dtype=np.int64)

    def codes(self, row: int, start: int = 0, stop: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Music and motion codes of clip ``row`` between frames ``start`` and ``stop``.

        Returns:
            ``([K_music, stop - start], [K_motion, stop - start])`` int64 arrays (``stop`` defaults to and is
            clipped at the clip's length).
        """
        entry = self.index[row]
        length = int(entry["length"])
        stop = length if stop is None else min(stop, length)
        if not 0 <= start <= stop:
            raise DataError(f"frames {start}:{stop} are outside clip {row} of {length} frames")
        music, motion = self._shard(int(entry["shard"]))
        offset = int(entry["offset"])
        window = slice(offset + start, offset + stop)
        return np.asarray(music[:, window], dtype=np.int64), np.asarray(motion[:, window], dtype=np.int64)

    def text(self, row: int, field: str) -> str:
        """A string field of clip ``row``: ``clip_id``, ``music_text``, ``motion_text`` or ``style``."""
        if self._strings is None:
            path = self.root / STRINGS_FILE
            self._strings = (
                np.memmap(path, dtype=np.uint8, mode="r") if path.stat().st_size else np.zeros(0, np.uint8)
            )
        start, size = (int(v) for v in self.index[row][field])
        return bytes(self._strings[start : start + size]).decode("utf-8")

    def split_of(self, row: int) -> Split:
        """The split of clip ``row``."""
        return SPLITS[int(self.index[row]["split"])]

    def __getitem__(self, row: int) -> TokenItem:
        """Everything stored about clip ``row``, codes included."""
        if not -len(self) <= row < len(self):
            raise IndexError(f"clip {row} out of range for a store of {len(self)} clips")
        row = row % len(self)
        entry = self.index[row]
        music, motion = self.codes(row)
        return TokenItem(
            clip_id=self.text(row, "clip_id"),
            split=self.split_of(row),
            music_codes=music,
            motion_codes=motion,
            music_text=self.text(row, "music_text"),
            motion_text=self.text(row, "motion_text"),
            duration_s=float(entry["duration_s"]),
            music_frames=int(entry["music_frames"]),
            motion_frames=int(entry["motion_frames"]),
            style=self.text(row, "style"),
        )

    def _shard(self, shard: int) -> tuple[np.ndarray, np.ndarray]:
        if shard not in self._shards:
            music_path, motion_path, _ = shard_paths(self.root, shard)
            for path in (music_path, motion_path):
                if not path.is_file():
                    raise DataError(f"{path}: token store shard missing; rebuild the store")
            self._shards[shard] = (np.load(music_path, mmap_mode="r"), np.load(motion_path, mmap_mode="r"))
        return self._shards[shard]

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.update(_index=None, _strings=None, _shards={})
        return state
