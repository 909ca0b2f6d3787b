"""Writing a token store shard by shard, resumable after an interruption.

Clips are buffered until a shard is full, then the shard's two code arrays and its item list are written,
each through a temporary file renamed into place; the item list goes last and marks the shard finished.
Re-opening a store directory whose ``store.json`` names the same tokenizers continues after the last
finished shard: :attr:`TokenStoreWriter.done_ids` lists the clips already stored, so the caller skips them.
:meth:`TokenStoreWriter.close` writes the index, ``strings.bin``, ``store.json`` and ``report.json``.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from mumo.data.item_report import ItemReport, write_json_atomic
from mumo.data.token_store.layout import (
    INDEX_ARRAY_FILE,
    INDEX_DTYPE,
    SHARDS_DIR,
    SPLITS,
    STORE_FILE,
    STRING_FIELDS,
    STRINGS_FILE,
    StoreMeta,
    TokenItem,
    code_dtype,
    shard_paths,
)
from mumo.errors import DataError

logger = logging.getLogger(__name__)

DEFAULT_FRAMES_PER_SHARD = 1 << 20
"""Code frames per shard before it is written (about 5.8 hours of clips at 50 Hz)."""


class TokenStoreWriter:
    """Adds clips to a token store directory.

    Args:
        root: store directory (created if missing).
        meta: the tokenizers and frame rate; ``num_items``, ``num_shards`` and ``complete`` are filled in
            by :meth:`close`.
        frames_per_shard: a shard is written once its clips hold at least this many code frames.

    Raises:
        DataError: ``root`` holds a store made by other tokenizers, or a finished store.
    """

    def __init__(self, root: str | Path, meta: StoreMeta, frames_per_shard: int = DEFAULT_FRAMES_PER_SHARD):
        if frames_per_shard < 1:
            raise DataError(f"frames_per_shard must be at least 1, got {frames_per_shard}")
        self.root = Path(root)
        self.meta = replace(meta, num_items=0, num_shards=0, complete=False)
        self.frames_per_shard = frames_per_shard
        self.dtype = np.dtype(meta.code_dtype)
        self.report = ItemReport()
        self._rows: list[dict[str, Any]] = []
        self._music: list[np.ndarray] = []
        self._motion: list[np.ndarray] = []
        self._buffered_frames = 0
        (self.root / SHARDS_DIR).mkdir(parents=True, exist_ok=True)
        self._check_existing()
        self.num_shards, self.done_ids = self._finished_shards()
        self.report.extra["resumed"] = len(self.done_ids)
        write_json_atomic(self.root / STORE_FILE, self.meta.to_dict())

    def add(self, item: TokenItem) -> int:
        """Buffer one clip (written with its shard); returns the stored frame count ``T``.

        The longer code stream is trimmed to the shorter one; both original lengths are recorded.

        Raises:
            DataError: codes of the wrong rank, codebook count or value range, an empty clip, an unknown
                split, or a clip id already in the store.
        """
        music = self._check_codes(item.music_codes, self.meta.music.num_codebooks, "music", item)
        motion = self._check_codes(item.motion_codes, self.meta.motion.num_codebooks, "motion", item)
        if item.split not in SPLITS:
            raise DataError(f"clip {item.clip_id}: unknown split {item.split!r}, expected one of {SPLITS}")
        if item.clip_id in self.done_ids:
            raise DataError(f"clip {item.clip_id}: already in the store; clip ids must be unique")
        frames = min(music.shape[1], motion.shape[1])
        if frames == 0:
            raise DataError(f"clip {item.clip_id}: no code frames to store")
        self._rows.append(
            {
                "clip_id": item.clip_id,
                "split": item.split,
                "offset": self._buffered_frames,
                "length": frames,
                "duration_s": float(item.duration_s),
                "music_frames": item.music_frames if item.music_frames >= 0 else music.shape[1],
                "motion_frames": item.motion_frames if item.motion_frames >= 0 else motion.shape[1],
                "music_text": item.music_text,
                "motion_text": item.motion_text,
                "style": item.style,
            }
        )
        self._music.append(music[:, :frames].astype(self.dtype))
        self._motion.append(motion[:, :frames].astype(self.dtype))
        self._buffered_frames += frames
        self.done_ids.add(item.clip_id)
        self.report.wrote()
        if self._buffered_frames >= self.frames_per_shard:
            self.flush()
        return frames

    def skip(self, clip_id: str, reason: str) -> None:
        """Record that ``clip_id`` was not stored because of ``reason``."""
        logger.warning("skipping clip %s: %s", clip_id, reason)
        self.report.skip(clip_id, reason)

    def flush(self) -> None:
        """Write the buffered clips as a finished shard (nothing happens when the buffer is empty)."""
        if not self._rows:
            return
        music_path, motion_path, items_path = shard_paths(self.root, self.num_shards)
        _save_array_atomic(music_path, np.concatenate(self._music, axis=1))
        _save_array_atomic(motion_path, np.concatenate(self._motion, axis=1))
        tmp = items_path.with_name(f".{items_path.name}.tmp")
        tmp.write_text("".join(json.dumps(row, sort_keys=True) + "\n" for row in self._rows))
        tmp.replace(items_path)
        logger.debug(
            "wrote shard %d: %d clips, %d frames", self.num_shards, len(self._rows), self._buffered_frames
        )
        self.num_shards += 1
        self._rows, self._music, self._motion, self._buffered_frames = [], [], [], 0

    def close(self) -> StoreMeta:
        """Write the last shard, the index, ``strings.bin``, ``store.json`` and ``report.json``.

        Returns:
            The finished store's metadata.
        """
        self.flush()
        num_items = _write_index(self.root, self.num_shards)
        self.meta = replace(self.meta, num_items=num_items, num_shards=self.num_shards, complete=True)
        write_json_atomic(self.root / STORE_FILE, self.meta.to_dict())
        self.report.save(self.root)
        return self.meta

    def __enter__(self) -> TokenStoreWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.flush()  # keep what is finished; a re-run resumes after it

    def _check_existing(self) -> None:
        path = self.root / STORE_FILE
        if not path.is_file():
            return
        existing = StoreMeta.from_dict(json.loads(path.read_text()), str(path))
        if not existing.same_tokenizers(self.meta):
            raise DataError(
                f"{self.root} holds a token store made by other tokenizers; choose another output directory "
                "or delete it"
            )
        if existing.complete:
            # A finished store is re-opened for appending: its index is rebuilt on close.
            logger.info("re-opening finished token store %s", self.root)

    def _finished_shards(self) -> tuple[int, set[str]]:
        done: set[str] = set()
        shard = 0
        while shard_paths(self.root, shard)[2].is_file():
            for row in _read_items(shard_paths(self.root, shard)[2]):
                done.add(row["clip_id"])
            shard += 1
        if done:
            logger.info("resuming %s after %d finished shards (%d clips)", self.root, shard, len(done))
        return shard, done

    def _check_codes(self, codes: np.ndarray, num_codebooks: int, stream: str, item: TokenItem) -> np.ndarray:
        array = np.asarray(codes)
        if array.ndim != 2 or array.shape[0] != num_codebooks:
            raise DataError(
                f"clip {item.clip_id}: {stream} codes must be [{num_codebooks}, T], got {tuple(array.shape)}"
            )
        if not np.issubdtype(array.dtype, np.integer):
            raise DataError(f"clip {item.clip_id}: {stream} codes must be integers, got {array.dtype}")
        cardinality = getattr(self.meta, stream).cardinality
        if array.size and (array.min() < 0 or array.max() >= cardinality):
            raise DataError(
                f"clip {item.clip_id}: {stream} codes outside [0, {cardinality}) "
                f"(min {array.min()}, max {array.max()})"
            )
        return array


def new_store_meta(music: Any, motion: Any, source: str = "") -> StoreMeta:
    """Metadata for a store of codes from two :class:`~mumo.data.token_store.layout.TokenizerInfo`.

    Raises:
        DataError: the two tokenizers have different frame rates.
    """
    if music.frame_rate != motion.frame_rate:
        raise DataError(
            f"music codes at {music.frame_rate} Hz and motion codes at {motion.frame_rate} Hz; "
            "the token store needs both streams at the same frame rate"
        )
    dtype = code_dtype(max(music.cardinality, motion.cardinality))
    return StoreMeta(
        music=music, motion=motion, frame_rate=music.frame_rate, code_dtype=dtype.name, source=source
    )


def _save_array_atomic(path: Path, array: np.ndarray) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as handle:
        np.save(handle, array)
    tmp.replace(path)


def _read_items(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _write_index(root: Path, num_shards: int) -> int:
    """Gather the shards' item lists into ``index.npy`` and ``strings.bin``; returns the item count."""
    rows: list[tuple[Any, ...]] = []
    strings_tmp = root / f".{STRINGS_FILE}.tmp"
    position = 0
    with strings_tmp.open("wb") as strings:
        for shard in range(num_shards):
            for item in _read_items(shard_paths(root, shard)[2]):
                spans = []
                for name in STRING_FIELDS:
                    data = (item.get(name) or "").encode("utf-8")
                    strings.write(data)
                    spans.append((position, len(data)))
                    position += len(data)
                rows.append(
                    (
                        shard,
                        item["offset"],
                        item["length"],
                        SPLITS.index(item["split"]),
                        item["duration_s"],
                        item["music_frames"],
                        item["motion_frames"],
                        *spans,
                    )
                )
    index = np.array(rows, dtype=INDEX_DTYPE)
    _save_array_atomic(root / INDEX_ARRAY_FILE, index)
    strings_tmp.replace(root / STRINGS_FILE)
    return len(index)
