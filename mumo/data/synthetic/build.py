"""Build the embedded synthetic music + dance dataset (a pure function of its seed)."""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

from mumo import checks
from mumo.audio import beat_f_measure, detect_beats, save
from mumo.data.clips import (
    INDEX_FILE,
    MOTION_STATS_DIR,
    STATS_FILE,
    ClipRecord,
    Split,
    write_index,
)
from mumo.data.synthetic.dance import FPS, MOVE_DESCRIPTIONS, generate_dance
from mumo.data.synthetic.music import SAMPLE_RATE, synthesize_track
from mumo.data.synthetic.styles import STYLES, Style
from mumo.files import OutputFolder
from mumo.metrics.beat_align import clip_beat_align_score
from mumo.motion import compute_feature_stats, joints_to_features
from mumo.motion.features import FEATURE_VERSION, check_feature_version

MIN_CLIPS = 3
MAX_CLIP_S = 600.0
"""Longest clip the synthetic world writes, seconds."""
MUSIC_TEMPLATES = (
    "A {style} track at {tempo} BPM with {instruments}.",
    "{Style} music, {tempo} beats per minute: {instruments}.",
    "An instrumental {style} loop around {tempo} BPM featuring {instruments}.",
)
MOTION_TEMPLATES = (
    "A {style} dance at {tempo} BPM: the dancer {moves}.",
    "The dancer {moves}, dancing {style} on the beat.",
)


def assign_splits(num_clips: int, seed: int) -> list[Split]:
    """Deterministic train/val/test split: 10 % val, 10 % test (at least one each), the rest train."""
    num_held_out = max(1, round(0.1 * num_clips))
    order = np.random.default_rng([seed, 0x5B117]).permutation(num_clips)
    splits: list[Split] = ["train"] * num_clips
    for position, clip in enumerate(order[: 2 * num_held_out]):
        splits[clip] = "val" if position < num_held_out else "test"
    return splits


def _join_moves(moves: tuple[str, ...]) -> str:
    phrases = [MOVE_DESCRIPTIONS[m] for m in dict.fromkeys(moves)]
    return phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]


def _captions(
    style: Style, tempo: float, moves: tuple[str, ...], rng: np.random.Generator
) -> tuple[str, str]:
    fields = {
        "style": style.name,
        "Style": style.name.capitalize(),
        "tempo": f"{tempo:.0f}",
        "instruments": style.instruments,
        "moves": _join_moves(moves),
    }
    music = MUSIC_TEMPLATES[int(rng.integers(len(MUSIC_TEMPLATES)))].format(**fields)
    motion = MOTION_TEMPLATES[int(rng.integers(len(MOTION_TEMPLATES)))].format(**fields)
    return music, motion


def build_synthetic_dataset(
    out: str | Path,
    num_clips: int,
    seed: int,
    min_duration_s: float = 5.0,
    max_duration_s: float = 12.0,
    on_clip: Callable[[ClipRecord], None] | None = None,
    overwrite: bool = False,
    feature_version: int = FEATURE_VERSION,
    workers: int = 1,
) -> dict:
    """Write ``num_clips`` paired music + dance clips in the layout of :mod:`mumo.data.clips`.

    Clip ``i`` depends only on ``(seed, i)``: its style cycles through :data:`STYLES`, its tempo, duration,
    key, moves and captions come from a generator seeded with ``(seed, i)``. The same arguments give
    byte-identical files.

    Args:
        out: dataset directory, created complete (:class:`mumo.files.OutputFolder`: built beside it, then
            moved into place).
        num_clips: at least 3 (one per split).
        seed: the dataset's seed.
        min_duration_s, max_duration_s: clip length range, seconds (at most :data:`MAX_CLIP_S`).
        on_clip: called with each clip's record once the clip is written (progress display).
        overwrite: replace ``out`` if it already holds files.
        feature_version: the motion-feature definition of the statistics (``motion_stats/``) and so of
            every tokenizer trained on the dataset (:data:`mumo.motion.features.FEATURE_DEFINITIONS`).
        workers: processes that synthesise clips at the same time (1: this one); the files do not depend on
            it.

    Returns:
        The figures written to ``stats.json``.
    """
    num_clips = checks.integer(num_clips, "the number of clips (one per split at least)", minimum=MIN_CLIPS)
    max_duration_s = checks.number(max_duration_s, "the longest clip, s", above=0.0, maximum=MAX_CLIP_S)
    min_duration_s = checks.number(min_duration_s, "the shortest clip, s", above=0.0, maximum=max_duration_s)
    with OutputFolder(out, overwrite) as root:
        (root / "music").mkdir()
        (root / "motion").mkdir()
        version = check_feature_version(feature_version)
        stats = _write_clips(root, num_clips, seed, min_duration_s, max_duration_s, on_clip, version, workers)
    return stats


@dataclass(frozen=True)
class _Clip:
    """One written clip and what the dataset's statistics need of it."""

    record: ClipRecord
    beat_tracking: float
    """librosa's beat F-measure against the annotated beats (±70 ms)."""
    beat_frames: np.ndarray
    """Annotated beats, 60-fps frames ``[N]``."""
    joints: np.ndarray
    """``[T, 22, 3]`` metres."""


def _write_clip(
    root: Path, seed: int, min_duration_s: float, max_duration_s: float, split: Split, index: int
) -> _Clip:
    """Synthesise clip ``index`` (a function of ``(seed, index)`` only) and write its music and joints."""
    rng = np.random.default_rng([seed, index])
    style = STYLES[(seed + index) % len(STYLES)]
    tempo = float(rng.uniform(*style.tempo_bpm))
    duration = float(np.round(rng.uniform(min_duration_s, max_duration_s), 2))
    track = synthesize_track(style, tempo, duration, rng)
    dance = generate_dance(style, track, round(duration * FPS), rng)
    music_caption, motion_caption = _captions(style, tempo, dance.moves, rng)
    clip_id = f"synth_{seed}_{index:05d}"
    save(root / "music" / f"{clip_id}.wav", track.audio, SAMPLE_RATE)
    np.save(root / "motion" / f"{clip_id}.npy", dance.joints)
    record = ClipRecord(
        clip_id=clip_id,
        split=split,
        music_path=f"music/{clip_id}.wav",
        joints_path=f"motion/{clip_id}.npy",
        music_caption=music_caption,
        motion_caption=motion_caption,
        duration_s=duration,
        tempo_bpm=round(tempo, 3),
        beat_times_s=tuple(round(float(b), 4) for b in track.beat_times_s),
        style=style.name,
    )
    return _Clip(
        record,
        beat_f_measure(track.beat_times_s, detect_beats(track.audio, SAMPLE_RATE)),
        np.round(track.beat_times_s * FPS).astype(np.int64),
        dance.joints,
    )


def _write_clips(
    root: Path,
    num_clips: int,
    seed: int,
    min_duration_s: float,
    max_duration_s: float,
    on_clip: Callable[[ClipRecord], None] | None,
    feature_version: int,
    workers: int,
) -> dict:
    """The clips, index, feature statistics and figures of :func:`build_synthetic_dataset` in ``root``."""
    splits = assign_splits(num_clips, seed)
    clips: list[_Clip] = []
    with ExitStack() as stack:
        mapper: Callable[..., Iterator[_Clip]] = map
        if workers > 1:  # spawned interpreters: no forked library threads
            spawn = multiprocessing.get_context("spawn")
            mapper = stack.enter_context(ProcessPoolExecutor(workers, mp_context=spawn)).map
        write = partial(_write_clip, root, seed, min_duration_s, max_duration_s)
        for clip in mapper(write, splits, range(num_clips)):
            clips.append(clip)
            if on_clip is not None:
                on_clip(clip.record)
    train_features = [
        joints_to_features(clip.joints, FPS, feature_version)
        for clip in clips
        if clip.record.split == "train"
    ]
    compute_feature_stats(train_features, feature_version=feature_version).save(root / MOTION_STATS_DIR)
    records = [clip.record for clip in clips]
    write_index(root, records)
    stats = _dataset_stats(
        records,
        [clip.beat_tracking for clip in clips],
        [clip.joints for clip in clips],
        [clip.beat_frames for clip in clips],
        seed,
    )
    (root / STATS_FILE).write_text(json.dumps(stats, indent=2, sort_keys=True) + "\n")
    return stats


def _dataset_stats(
    records: list[ClipRecord],
    beat_tracking: list[float],
    joints: list[np.ndarray],
    beat_frames: list[np.ndarray],
    seed: int,
) -> dict:
    """Counts and the two beat checks: librosa finds the annotated beats; dances align with their own music
    (Bailando BAS, 60 fps) far better than with another clip's music."""
    own = [clip_beat_align_score(j, b) for j, b in zip(joints, beat_frames, strict=True)]
    shifted = beat_frames[1:] + beat_frames[:1]
    shuffled = [clip_beat_align_score(j, b) for j, b in zip(joints, shifted, strict=True)]

    def r(value: float) -> float:
        return round(float(value), 6)

    return {
        "seed": seed,
        "num_clips": len(records),
        "index": INDEX_FILE,
        "clips_per_split": {s: sum(r.split == s for r in records) for s in ("train", "val", "test")},
        "clips_per_style": {s.name: sum(r.style == s.name for r in records) for s in STYLES},
        "total_duration_s": r(sum(rec.duration_s for rec in records)),
        "tempo_bpm_range": [
            r(min(rec.tempo_bpm for rec in records)),
            r(max(rec.tempo_bpm for rec in records)),
        ],
        "music_sample_rate_hz": SAMPLE_RATE,
        "motion_fps": FPS,
        "beat_tracking_f_measure_70ms": r(np.mean(beat_tracking)),
        "beat_align_score_own_music": r(np.mean(own)),
        "beat_align_score_shuffled_music": r(np.mean(shuffled)),
    }
