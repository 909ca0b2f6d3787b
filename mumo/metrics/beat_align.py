"""Beat Align Score (BAS), the Bailando definition, and beat phase locking.

Motion beats are strict local minima of the mean joint speed (Gaussian-smoothed, sigma 5 frames); music
beats come from librosa's beat tracker on the percussive part of the audio, at 60 fps. The score averages,
over **music** beats, ``exp(-d^2 / (2 sigma^2))`` where ``d`` is the distance in frames to the nearest motion
beat and ``sigma = 3`` frames (50 ms at 60 fps). A clip without any motion beat (frozen or monotone motion)
scores 0.

Beat phase locking (mumo's, not a published metric) asks where the kinematic beats fall within the music's
beat cycle, whatever the lag: see :func:`beat_phase_locking`.
"""

from __future__ import annotations

import librosa
import numpy as np
from scipy.ndimage import gaussian_filter
from scipy.signal import argrelextrema

from mumo.audio import resample

BAS_SIGMA_FRAMES = 3.0
"""Tolerance of the score, frames (at 60 fps: 50 ms)."""
SPEED_SMOOTHING_FRAMES = 5.0
"""Standard deviation of the Gaussian that smooths joint speed before finding its minima, frames."""
MUSIC_BEAT_FPS = 60
MUSIC_BEAT_HOP = 512
MUSIC_BEAT_SAMPLE_RATE = MUSIC_BEAT_FPS * MUSIC_BEAT_HOP  # 30 720 Hz: one onset frame per motion frame


def motion_beats(joints: np.ndarray) -> np.ndarray:
    """Kinematic beat frame indices of a clip ``[T, J, 3]``: local minima of smoothed mean joint speed.

    Returns:
        int array of frame indices in ``[1, T-3]`` (speed has ``T-1`` entries, frame ``t`` → ``t+1``).
    """
    joints = np.asarray(joints, dtype=np.float64)
    speed = np.linalg.norm(joints[1:] - joints[:-1], axis=-1).mean(axis=1)
    smoothed = gaussian_filter(speed, sigma=SPEED_SMOOTHING_FRAMES)
    return argrelextrema(smoothed, np.less)[0]


def music_beat_frames(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Music beat frame indices at 60 fps, as Bailando computed them.

    The mono waveform is resampled to 30 720 Hz (60 fps x hop 512), split by HPSS, and librosa's beat tracker
    runs on the median-aggregated onset strength of the percussive part (default start tempo and tightness).

    Args:
        audio: mono waveform ``[N]`` or ``[1, N]``.
        sample_rate: Hz.
    """
    mono = np.asarray(audio, dtype=np.float32).reshape(-1)
    if sample_rate != MUSIC_BEAT_SAMPLE_RATE:
        mono = resample(mono[None], sample_rate, MUSIC_BEAT_SAMPLE_RATE)[0]
    _, percussive = librosa.effects.hpss(mono)
    envelope = librosa.onset.onset_strength(
        y=percussive, sr=MUSIC_BEAT_SAMPLE_RATE, hop_length=MUSIC_BEAT_HOP, aggregate=np.median
    )
    _, frames = librosa.beat.beat_track(
        onset_envelope=envelope, sr=MUSIC_BEAT_SAMPLE_RATE, hop_length=MUSIC_BEAT_HOP
    )
    return np.asarray(frames, dtype=np.int64)


def beat_align_score(music_beats: np.ndarray, dance_beats: np.ndarray) -> float:
    """BAS of one clip: mean over music beats of ``exp(-min_d (d - b)^2 / (2 * 3^2))``, frames at 60 fps.

    Returns 0.0 when either beat set is empty.
    """
    music = np.asarray(music_beats, dtype=np.float64).reshape(-1)
    dance = np.asarray(dance_beats, dtype=np.float64).reshape(-1)
    if music.size == 0 or dance.size == 0:
        return 0.0
    nearest = np.min((music[:, None] - dance[None, :]) ** 2, axis=1)
    return float(np.mean(np.exp(-nearest / (2 * BAS_SIGMA_FRAMES**2))))


def clip_beat_align_score(joints: np.ndarray, music_beats: np.ndarray) -> float:
    """BAS of a joint clip ``[T, J, 3]`` at 60 fps against music beat frames (those ``< T-1`` are used)."""
    return beat_align_score(_beats_within(joints, music_beats), motion_beats(joints))


def clip_beat_scores(joints: np.ndarray, music_beats: np.ndarray) -> tuple[float, float]:
    """BAS and :func:`beat_phase_locking` of a joint clip ``[T, J, 3]`` at 60 fps against music beat frames
    (those ``< T-1`` are used), its kinematic beats found once."""
    music, dance = _beats_within(joints, music_beats), motion_beats(joints)
    return beat_align_score(music, dance), beat_phase_locking(music, dance)


def _beats_within(joints: np.ndarray, music_beats: np.ndarray) -> np.ndarray:
    """The music beat frames a clip ``[T, J, 3]`` can score: those ``< T-1`` (speed has ``T-1`` entries)."""
    music = np.asarray(music_beats).reshape(-1)
    return music[music < len(joints) - 1]


def beat_phase_locking(music_beats: np.ndarray, dance_beats: np.ndarray) -> float:
    """Phase-locking value of the dance's beats within the music's beat cycle, frames at any common rate.

    Each dance beat ``k`` with ``b_i <= k < b_(i+1)`` (consecutive music beats) has the phase
    ``phi = (k - b_i) / (b_(i+1) - b_i)`` in ``[0, 1)``; the value is ``|mean exp(2 pi i phi)|``: 1 when every
    dance beat sits at the same place in the cycle (on the beat, or at any constant lag that BAS would
    punish), about ``n^-1/2`` for ``n`` beats spread over the cycle (a dance with its own tempo and no phase
    relation to the music). Returns 0.0 when no dance beat falls between two music beats.
    """
    music = np.sort(np.asarray(music_beats, dtype=np.float64).reshape(-1))
    dance = np.asarray(dance_beats, dtype=np.float64).reshape(-1)
    if music.size < 2 or dance.size == 0:
        return 0.0
    cycle = np.searchsorted(music, dance, side="right") - 1  # the music beat at or before each dance beat
    inside = (cycle >= 0) & (cycle < music.size - 1)
    if not inside.any():
        return 0.0
    start, stop = music[cycle[inside]], music[cycle[inside] + 1]
    phase = (dance[inside] - start) / (stop - start)
    return float(np.abs(np.mean(np.exp(2j * np.pi * phase))))
