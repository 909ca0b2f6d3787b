"""Turning a mumo dataset into a token store with a music tokenizer and a motion tokenizer.

Clips are encoded in worker processes (or in this process when ``workers == 1``) and written in the
dataset's index order. A clip that cannot be read or encoded (unreadable audio, NaN or wrongly shaped
motion, a missing stream) is recorded in the store's ``report.json`` with its reason and skipped; it never
stops the run. Re-running on the same output directory resumes after the last finished shard.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch

from mumo.audio import load as load_audio
from mumo.data.clips import MOTION_FPS, MOTION_STATS_DIR, ClipRecord, read_index
from mumo.data.item_report import ItemReport
from mumo.data.token_store.layout import StoreMeta, TokenItem, TokenizerInfo
from mumo.data.token_store.writer import DEFAULT_FRAMES_PER_SHARD, TokenStoreWriter, new_store_meta
from mumo.errors import DataError, MumoError
from mumo.motion import FeatureStats, joints_to_features
from mumo.tokenizers import load_tokenizer
from mumo.tokenizers.long_audio import encode_in_windows

logger = logging.getLogger(__name__)

ITEM_ERRORS = (MumoError, OSError, ValueError, EOFError)
"""Errors that make one clip unusable (bad file or content) without stopping the build."""

EncodedClip = tuple[np.ndarray, np.ndarray]
"""``(music codes [K_music, T_music], motion codes [K_motion, T_motion])``."""


class ClipEncoder(Protocol):
    """Encodes one clip of a dataset; must pickle so worker processes can run it."""

    def __call__(self, root: Path, record: ClipRecord) -> EncodedClip: ...


@dataclass(frozen=True)
class TokenizerClipEncoder:
    """Encodes clips with the tokenizers saved in two directories (loaded once per process).

    Attributes:
        music_dir: music tokenizer directory (waveforms ``[B, 1, N]`` at its ``sample_rate``, default
            32 kHz).
        motion_dir: motion tokenizer directory (normalised 263-d features ``[B, T, 263]`` at 60 fps).
    """

    music_dir: str
    motion_dir: str

    def describe(self) -> tuple[TokenizerInfo, TokenizerInfo]:
        """The two tokenizers as recorded in ``store.json``."""
        music, motion = _load_tokenizers(self.music_dir, self.motion_dir)
        return TokenizerInfo.describe(self.music_dir, music), TokenizerInfo.describe(self.motion_dir, motion)

    def __call__(self, root: Path, record: ClipRecord) -> EncodedClip:
        if record.music_path is None or record.joints_path is None:
            raise DataError("clip has only one stream; pair music-only and dance-only clips first")
        music_tokenizer, motion_tokenizer = _load_tokenizers(self.music_dir, self.motion_dir)
        audio = load_audio(root / record.music_path, int(getattr(music_tokenizer, "sample_rate", 32_000)))
        stats = _motion_stats(str(root))
        features = stats.normalize(
            joints_to_features(np.load(root / record.joints_path), MOTION_FPS, stats.feature_version)
        )
        with torch.inference_mode():
            music = encode_in_windows(music_tokenizer, torch.from_numpy(audio)[None])  # [1, K, T]
            motion = motion_tokenizer.encode(torch.from_numpy(features)[None])  # [1, K, T]
        return music[0].cpu().numpy(), motion[0].cpu().numpy()


@lru_cache(maxsize=2)
def _load_tokenizers(music_dir: str, motion_dir: str) -> tuple[Any, Any]:

    music, motion = load_tokenizer(music_dir), load_tokenizer(motion_dir)
    for directory, model, role, needs in ((music_dir, music, "music", "sample_rate"),
                                          (motion_dir, motion, "motion", "encode_joints")):  # fmt: skip
        if not hasattr(model, needs):
            raise DataError(f"{directory}: holds a {type(model).__name__}, not a {role} tokenizer (swapped?)")
    for model in (music, motion):
        if isinstance(model, torch.nn.Module):
            model.eval()
    return music, motion


@lru_cache(maxsize=2)
def _motion_stats(root: str) -> FeatureStats:
    return FeatureStats.load(Path(root) / MOTION_STATS_DIR)


def build_token_store(
    dataset: str | Path,
    out: str | Path,
    encoder: ClipEncoder,
    music: TokenizerInfo,
    motion: TokenizerInfo,
    workers: int = 1,
    frames_per_shard: int = DEFAULT_FRAMES_PER_SHARD,
    on_clip: Callable[[str], None] | None = None,
) -> tuple[StoreMeta, ItemReport]:
    """Encode every clip of ``dataset`` into a token store at ``out`` (resuming a previous run there).

    Args:
        dataset: a mumo dataset directory (``index.jsonl``, ``music/``, ``motion/``, ``motion_stats/``).
        out: the token store directory.
        encoder: turns one clip into its two code arrays.
        music: the music tokenizer's description.
        motion: the motion tokenizer's description (same frame rate as ``music``).
        workers: encoding processes; 1 encodes in this process.
        frames_per_shard: code frames per shard.
        on_clip: called with each clip id once it is written or skipped (also for clips already stored).

    Returns:
        The finished store's metadata and the run's report (also in ``out/report.json``).

    Raises:
        DataError: ``dataset`` is not a mumo dataset, ``out`` holds a store of other tokenizers, or
            ``workers < 1``.
    """
    if workers < 1:
        raise DataError(f"workers must be at least 1, got {workers}")
    root = Path(dataset)
    records = read_index(root)
    meta = new_store_meta(music, motion, source=str(root.resolve()))
    with TokenStoreWriter(out, meta, frames_per_shard=frames_per_shard) as writer:
        pending = [record for record in records if record.clip_id not in writer.done_ids]
        for record in records:
            if record.clip_id in writer.done_ids and on_clip is not None:
                on_clip(record.clip_id)
        for record, outcome in _encode_all(root, pending, encoder, workers):
            if isinstance(outcome, str):
                writer.skip(record.clip_id, outcome)
            else:
                _add(writer, record, outcome)
            if on_clip is not None:
                on_clip(record.clip_id)
    return writer.meta, writer.report


def _add(writer: TokenStoreWriter, record: ClipRecord, codes: EncodedClip) -> None:
    music, motion = codes
    item = TokenItem(
        clip_id=record.clip_id,
        split=record.split,
        music_codes=music,
        motion_codes=motion,
        music_text=record.music_caption,
        motion_text=record.motion_caption,
        duration_s=record.duration_s,
        style=record.style or "",
    )
    try:
        writer.add(item)
    except DataError as exc:
        writer.skip(record.clip_id, str(exc))


def _encode_one(encoder: ClipEncoder, root: Path, record: ClipRecord) -> EncodedClip | str:
    """The clip's codes, or the reason it cannot be encoded."""
    try:
        return encoder(root, record)
    except ITEM_ERRORS as exc:
        return f"{type(exc).__name__}: {exc}"


def _encode_all(
    root: Path, records: list[ClipRecord], encoder: ClipEncoder, workers: int
) -> Iterator[tuple[ClipRecord, EncodedClip | str]]:
    """Outcomes in ``records`` order; at most ``2 * workers`` clips are in flight at once."""
    if workers == 1:
        for record in records:
            yield record, _encode_one(encoder, root, record)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        in_flight: deque[tuple[ClipRecord, Future]] = deque()
        for record in records:
            in_flight.append((record, pool.submit(_encode_one, encoder, root, record)))
            if len(in_flight) >= 2 * workers:
                done, future = in_flight.popleft()
                yield done, future.result()
        while in_flight:
            done, future = in_flight.popleft()
            yield done, future.result()
