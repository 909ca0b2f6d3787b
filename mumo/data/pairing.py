"""Pairing music tracks that have no dance with dance clips, re-timed so their beats meet the music's.

For each track, ``dances_per_track`` dance clips of the same split are drawn (per ``(seed, track)``; never
a clip with the track's own id, so one dataset can be re-paired with itself). A
segment of each dance is cut at a random start and **time-warped**: music beats (librosa, 60 fps) are
matched in order to kinematic beats (minima of joint speed) of the dance, and the dance is resampled
along the piecewise-linear map through the matched pairs. The local playback rate stays within
``[1 / max_rate_change, max_rate_change]``; a music beat with no dance beat reachable at such a rate is left
unmatched. The Beat Align Score of every pair before and after warping goes into the report.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mumo.audio import load as load_audio
from mumo.data.adapters.output import DatasetWriter
from mumo.data.clips import MOTION_FPS, MUSIC_SAMPLE_RATE, ClipRecord, read_index
from mumo.data.item_report import ItemReport
from mumo.errors import ConfigError, MumoError
from mumo.metrics.beat_align import clip_beat_align_score, motion_beats, music_beat_frames
from mumo.motion import validate_joints

logger = logging.getLogger(__name__)

MIN_PAIR_FRAMES = 2 * MOTION_FPS
"""Shortest pair written, frames at 60 fps (2 s)."""


@dataclass(frozen=True)
class PairingConfig:
    """How tracks and dances are paired.

    Attributes:
        dances_per_track: dance clips paired with every track.
        seed: seed of the dance choice and segment starts.
        max_rate_change: largest local speed-up (and, inverted, slow-down) of the dance, e.g. 1.5.
    """

    dances_per_track: int = 1
    seed: int = 0
    max_rate_change: float = 1.5

    def check(self) -> None:
        """Raises ConfigError on a non-positive count or a rate bound below 1."""
        if self.dances_per_track < 1 or self.max_rate_change < 1:
            raise ConfigError(
                f"pairing needs dances_per_track >= 1 and max_rate_change >= 1, got {self.dances_per_track} "
                f"and {self.max_rate_change}"
            )


def beat_time_warp(
    music_beats: np.ndarray,
    dance_beats: np.ndarray,
    num_frames: int,
    source_start: float,
    source_end: float,
    max_rate: float,
) -> tuple[np.ndarray, int]:
    """Source frame of every output frame, through matched beats.

    Args:
        music_beats: output (music) beat frames, ascending, 60 fps.
        dance_beats: source (dance) beat frames, ascending, same frame rate.
        num_frames: output frames.
        source_start: source frame shown at output frame 0.
        source_end: last source frame that exists (the warp never maps past it).
        max_rate: bound on the local rate (source frames per output frame) and its inverse.

    Returns:
        ``([num_frames]`` fractional source frames, number of matched beats ``)``.
    """
    anchors_out, anchors_src = [0.0], [float(source_start)]
    for beat in np.asarray(music_beats, dtype=np.float64):
        span = beat - anchors_out[-1]
        if span <= 0:
            continue
        low, high = anchors_src[-1] + span / max_rate, anchors_src[-1] + span * max_rate
        reachable = dance_beats[(dance_beats >= low) & (dance_beats <= min(high, source_end))]
        if reachable.size:
            expected = anchors_src[-1] + span
            anchors_out.append(float(beat))
            anchors_src.append(float(reachable[np.argmin(np.abs(reachable - expected))]))
    matched = len(anchors_out) - 1
    last = num_frames - 1
    if anchors_out[-1] < last:
        anchors_out.append(float(last))
        anchors_src.append(min(anchors_src[-1] + (last - anchors_out[-2]), source_end))
    return np.interp(np.arange(num_frames), anchors_out, anchors_src), matched


def warp_joints(joints: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Joints ``[T, J, 3]`` sampled at fractional frames ``[N]`` (linear, clamped): ``[N, J, 3]``."""
    positions = np.clip(positions, 0, len(joints) - 1)
    low = np.floor(positions).astype(np.int64)
    high = np.minimum(low + 1, len(joints) - 1)
    weight = (positions - low)[:, None, None]
    return ((1 - weight) * joints[low] + weight * joints[high]).astype(np.float32)


def pair_datasets(
    music_dir: str | Path, dance_dir: str | Path, out: str | Path, config: PairingConfig
) -> ItemReport:
    """Write a paired dataset from a dataset's music tracks and another (or the same) dataset's dances.

    Args:
        music_dir: dataset whose clips with music are the tracks.
        dance_dir: dataset whose clips with joints are the dances.
        out: output dataset directory; clip ids are ``<track>__<dance>``.
        config: pairing settings.

    Returns:
        The report (also ``out/report.json``): counts, skip reasons, and in ``extra`` the mean BAS before and
        after warping and one entry per pair.
    """
    config.check()
    music_dir, dance_dir = Path(music_dir), Path(dance_dir)
    tracks = [r for r in read_index(music_dir) if r.music_path is not None]
    dances = [r for r in read_index(dance_dir) if r.joints_path is not None]
    writer = DatasetWriter(out, source=f"pairing of {music_dir} music with {dance_dir} dances")
    pairs: list[dict[str, Any]] = []
    for number, track in enumerate(tracks):
        candidates = [d for d in dances if d.split == track.split and d.clip_id != track.clip_id]
        if not candidates:
            writer.skip(track.clip_id, f"no other dance clip in the {track.split} split of {dance_dir}")
            continue
        rng = np.random.default_rng([config.seed, number])
        chosen = rng.choice(
            len(candidates), size=min(config.dances_per_track, len(candidates)), replace=False
        )
        try:
            audio = load_audio(music_dir / track.music_path, MUSIC_SAMPLE_RATE)
            beats = music_beat_frames(audio, MUSIC_SAMPLE_RATE)
        except MumoError as exc:
            writer.skip(track.clip_id, f"{type(exc).__name__}: {exc}")
            continue
        for index in sorted(chosen):
            dance = candidates[int(index)]
            name = f"{track.clip_id}__{dance.clip_id}"
            try:
                pairs.append(_pair(writer, track, audio, beats, dance, dance_dir, name, rng, config))
            except (MumoError, OSError, ValueError) as exc:
                writer.skip(name, f"{type(exc).__name__}: {exc}")
    writer.report.extra.update(
        pairs=pairs,
        bas_before_mean=float(np.mean([p["bas_before"] for p in pairs])) if pairs else None,
        bas_after_mean=float(np.mean([p["bas_after"] for p in pairs])) if pairs else None,
    )
    return writer.close()


def _pair(
    writer: DatasetWriter,
    track: ClipRecord,
    audio: np.ndarray,
    beats: np.ndarray,
    dance: ClipRecord,
    dance_dir: Path,
    name: str,
    rng: np.random.Generator,
    config: PairingConfig,
) -> dict[str, Any]:
    joints = validate_joints(np.load(dance_dir / dance.joints_path))
    track_frames = audio.shape[1] * MOTION_FPS // MUSIC_SAMPLE_RATE
    num_frames = int(min(track_frames, len(joints)))
    if num_frames < MIN_PAIR_FRAMES:
        raise ValueError(f"pair would last {num_frames} frames, fewer than {MIN_PAIR_FRAMES}")
    start = int(rng.integers(0, len(joints) - num_frames + 1))
    music_beats = beats[beats < num_frames]
    positions, matched = beat_time_warp(
        music_beats,
        motion_beats(joints).astype(np.float64),
        num_frames,
        start,
        len(joints) - 1,
        config.max_rate_change,
    )
    warped = warp_joints(joints, positions)
    original = joints[start : start + num_frames]
    record = writer.add(
        clip_id=name,
        split=track.split,
        music=audio[:, : num_frames * MUSIC_SAMPLE_RATE // MOTION_FPS],
        joints=warped,
        music_caption=track.music_caption,
        motion_caption=dance.motion_caption,
        tempo_bpm=track.tempo_bpm,
        beat_times_s=tuple(float(b) / MOTION_FPS for b in music_beats),
        style=dance.style,
    )
    return {
        "clip_id": record.clip_id,
        "track": track.clip_id,
        "dance": dance.clip_id,
        "dance_start_frame": start,
        "music_beats": len(music_beats),
        "matched_beats": matched,
        "bas_before": clip_beat_align_score(original, music_beats),
        "bas_after": clip_beat_align_score(warped, music_beats),
    }
