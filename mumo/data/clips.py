"""The on-disk layout of a mumo dataset of paired music and dance clips.

A dataset directory holds::

    index.jsonl          one ClipRecord per line (paths relative to the directory)
    music/<id>.wav       mono waveform, 32 kHz, float in [-1, 1]
    motion/<id>.npy      joints [T, 22, 3] float32, metres, y up, 60 fps
    motion_stats/        263-d feature mean and std over the train split (mumo.motion.FeatureStats:
                         config.json + model.safetensors with tensors ``mean``, ``std``)
    stats.json           dataset figures (counts per split, durations, beat-alignment checks, ...)

Every adapter (synthetic, AIST++, ...) writes this layout; tokenizers and the token store read it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from mumo.errors import DataError

Split = Literal["train", "val", "test"]
INDEX_FILE = "index.jsonl"
MOTION_STATS_DIR = "motion_stats"
STATS_FILE = "stats.json"
MUSIC_SAMPLE_RATE = 32_000
"""Hz, the sample rate of every dataset waveform."""
MOTION_FPS = 60
"""Frames per second of every dataset joint array."""


@dataclass(frozen=True)
class ClipRecord:
    """One paired music + dance clip.

    Attributes:
        clip_id: unique name, also the file stem.
        split: ``train``, ``val`` or ``test``.
        music_path: WAV path relative to the dataset root (32 kHz mono), or ``None`` for motion-only clips.
        joints_path: ``.npy`` path relative to the root, joints ``[T, 22, 3]`` at 60 fps, metres; ``None`` for
            music-only clips.
        music_caption: text description of the music.
        motion_caption: text description of the dance.
        duration_s: clip length in seconds.
        tempo_bpm: tempo in beats per minute, if known.
        beat_times_s: ground-truth musical beat times in seconds, if known.
        style: genre or style label, if known.
    """

    clip_id: str
    split: Split
    music_path: str | None
    joints_path: str | None
    music_caption: str
    motion_caption: str
    duration_s: float
    tempo_bpm: float | None = None
    beat_times_s: tuple[float, ...] = field(default_factory=tuple)
    style: str | None = None


def write_index(root: str | Path, records: Iterable[ClipRecord]) -> Path:
    """Write ``index.jsonl`` under ``root`` (atomically: a temporary file renamed into place)."""
    path = Path(root) / INDEX_FILE
    tmp = path.with_suffix(".jsonl.tmp")
    with tmp.open("w") as handle:
        for record in records:
            row = asdict(record)
            row["beat_times_s"] = list(record.beat_times_s)
            handle.write(json.dumps(row, sort_keys=True) + "\n")
    tmp.replace(path)
    return path


def read_index(root: str | Path, split: Split | None = None) -> list[ClipRecord]:
    """Read a dataset's clip records, optionally only those of one split.

    Raises:
        DataError: the directory has no ``index.jsonl`` or a line is malformed.
    """
    path = Path(root) / INDEX_FILE
    if not path.is_file():
        raise DataError(
            f"{root}: not a mumo dataset (missing {INDEX_FILE}); create one with `mumo data synth`"
        )
    records = []
    for line_no, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            row["beat_times_s"] = tuple(row.get("beat_times_s", ()))
            record = ClipRecord(**row)
        except (json.JSONDecodeError, TypeError) as exc:
            raise DataError(f"{path}:{line_no}: malformed clip record ({exc})") from None
        if split is None or record.split == split:
            records.append(record)
    return records
