"""Builders of small token stores for the data tests (codes written directly, no tokenizer)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mumo.data.token_store import TokenItem, TokenizerInfo, TokenStoreWriter, new_store_meta

MUSIC_K, MOTION_K, CARDINALITY, FRAME_RATE = 4, 2, 2048, 50.0


def tokenizer_info(name: str, num_codebooks: int, config_sha256: str = "0" * 64) -> TokenizerInfo:
    return TokenizerInfo(
        directory=f"/tokenizers/{name}",
        config_sha256=config_sha256,
        frame_rate=FRAME_RATE,
        num_codebooks=num_codebooks,
        cardinality=CARDINALITY,
    )


def store_meta(config_sha256: str = "0" * 64):
    return new_store_meta(
        tokenizer_info("music", MUSIC_K, config_sha256), tokenizer_info("motion", MOTION_K, config_sha256)
    )


def clip_codes(number: int, frames: int, num_codebooks: int, stream_offset: int) -> np.ndarray:
    """Codes that identify clip ``number``, frame and codebook: ``[K, frames]``."""
    k = np.arange(num_codebooks)[:, None]
    t = np.arange(frames)[None, :]
    return ((number * 7 + t * 3 + k * 11 + stream_offset) % CARDINALITY).astype(np.int64)


def make_item(number: int, frames: int, split: str = "train", motion_extra: int = 0) -> TokenItem:
    return TokenItem(
        clip_id=f"clip{number:06d}",
        split=split,
        music_codes=clip_codes(number, frames, MUSIC_K, 0),
        motion_codes=clip_codes(number, frames + motion_extra, MOTION_K, 1),
        music_text=f"music of clip {number}",
        motion_text=f"dance of clip {number} ✓",
        duration_s=frames / FRAME_RATE,
        style="house" if number % 2 else "",
    )


def write_store(root: Path, lengths: list[int], splits: list[str] | None = None, **writer_args) -> Path:
    splits = splits or ["train"] * len(lengths)
    with TokenStoreWriter(root, store_meta(), **writer_args) as writer:
        for number, (frames, split) in enumerate(zip(lengths, splits, strict=True)):
            writer.add(make_item(number, frames, split))
    return root
