"""Writing an adapter's clips in mumo's dataset layout (see :mod:`mumo.data.clips`).

Besides the common layout, adapters that know the full 24-joint SMPL skeleton also write
``motion24/<id>.npy`` (joints ``[T, 24, 3]``, metres, 60 fps) for metrics that use the hands.
``motion_stats/`` is computed over the train split's 22-joint clips when the dataset is closed.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from mumo.audio import save as save_audio
from mumo.data.clips import (
    MOTION_FPS,
    MOTION_STATS_DIR,
    MUSIC_SAMPLE_RATE,
    STATS_FILE,
    ClipRecord,
    Split,
    write_index,
)
from mumo.data.item_report import ItemReport, write_json_atomic
from mumo.errors import DataError
from mumo.motion import compute_feature_stats, joints_to_features, validate_joints

logger = logging.getLogger(__name__)

MOTION24_DIR = "motion24"


class DatasetWriter:
    """Collects clips into a dataset directory; :meth:`close` writes the index, statistics and report.

    Args:
        root: output dataset directory (created if missing).
        source: a one-line description of the input (kept in ``stats.json``).
    """

    def __init__(self, root: str | Path, source: str):
        self.root = Path(root)
        self.source = source
        self.records: list[ClipRecord] = []
        self.report = ItemReport()
        for sub in ("music", "motion"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)

    def add(
        self,
        clip_id: str,
        split: Split,
        music: np.ndarray | None,
        joints: np.ndarray | None,
        music_caption: str,
        motion_caption: str,
        joints24: np.ndarray | None = None,
        **extra: Any,
    ) -> ClipRecord:
        """Write one clip and count it.

        Args:
            clip_id: unique clip name (file stem).
            split: ``train``, ``val`` or ``test``.
            music: mono waveform ``[1, N]`` at 32 kHz, or ``None`` for a dance-only clip.
            joints: ``[T, 22, 3]`` joints at 60 fps in metres, or ``None`` for a music-only clip.
            music_caption: text about the music.
            motion_caption: text about the dance.
            joints24: optional ``[T, 24, 3]`` SMPL joints of the same frames.
            extra: further :class:`~mumo.data.clips.ClipRecord` fields (``style``, ``tempo_bpm``, ...).

        Returns:
            The clip's record. Its duration is the music's length, else the dance's.

        Raises:
            DataError: neither stream given.
            MotionError / AudioError: invalid joints or waveform.
        """
        if music is None and joints is None:
            raise DataError(f"clip {clip_id}: neither music nor motion")
        music_path = joints_path = None
        if joints is not None:
            joints = validate_joints(joints).astype(np.float32)
            joints_path = f"motion/{clip_id}.npy"
            np.save(self.root / joints_path, joints)
            if joints24 is not None:
                (self.root / MOTION24_DIR).mkdir(exist_ok=True)
                np.save(
                    self.root / MOTION24_DIR / f"{clip_id}.npy",
                    validate_joints(joints24, 24).astype(np.float32),
                )
        if music is not None:
            music_path = f"music/{clip_id}.wav"
            save_audio(self.root / music_path, music, MUSIC_SAMPLE_RATE)
        duration = music.shape[-1] / MUSIC_SAMPLE_RATE if music is not None else len(joints) / MOTION_FPS
        record = ClipRecord(
            clip_id=clip_id,
            split=split,
            music_path=music_path,
            joints_path=joints_path,
            music_caption=music_caption,
            motion_caption=motion_caption,
            duration_s=round(float(duration), 4),
            **extra,
        )
        self.records.append(record)
        self.report.wrote()
        return record

    def skip(self, name: str, reason: str) -> None:
        """Record that input item ``name`` was skipped because of ``reason``."""
        logger.warning("skipping %s: %s", name, reason)
        self.report.skip(name, reason)

    def close(self) -> ItemReport:
        """Write ``index.jsonl``, ``motion_stats/`` (when there are train dances), ``stats.json`` and
        ``report.json``; returns the report."""
        write_index(self.root, self.records)
        train_dances = [r for r in self.records if r.split == "train" and r.joints_path is not None]
        if train_dances:
            stats = compute_feature_stats(
                joints_to_features(np.load(self.root / r.joints_path), MOTION_FPS) for r in train_dances
            )
            stats.save(self.root / MOTION_STATS_DIR)
        per_split = {split: sum(r.split == split for r in self.records) for split in ("train", "val", "test")}
        write_json_atomic(
            self.root / STATS_FILE,
            {
                "source": self.source,
                "num_clips": len(self.records),
                "clips_per_split": per_split,
                "total_duration_s": round(sum(r.duration_s for r in self.records), 3),
                "music_clips": sum(r.music_path is not None for r in self.records),
                "motion_clips": sum(r.joints_path is not None for r in self.records),
            },
        )
        self.report.save(self.root)
        logger.info("%s: %s", self.root, self.report.summary())
        return self.report
