"""Musical beat and onset detection (librosa)."""

from __future__ import annotations

import librosa
import numpy as np

HOP_LENGTH = 512
"""Samples between onset-envelope frames."""


def onset_envelope(audio: np.ndarray, sample_rate: int, hop_length: int = HOP_LENGTH) -> np.ndarray:
    """Onset strength ``[F]`` of a mono waveform ``[N]`` or ``[1, N]``, one value per ``hop_length``."""
    mono = np.asarray(audio, dtype=np.float32).reshape(-1)
    return librosa.onset.onset_strength(y=mono, sr=sample_rate, hop_length=hop_length)


def detect_beats(audio: np.ndarray, sample_rate: int, hop_length: int = HOP_LENGTH) -> np.ndarray:
    """Beat times in seconds ``[num_beats]`` found by librosa's dynamic-programming beat tracker."""
    envelope = onset_envelope(audio, sample_rate, hop_length)
    _, frames = librosa.beat.beat_track(onset_envelope=envelope, sr=sample_rate, hop_length=hop_length)
    return librosa.frames_to_time(frames, sr=sample_rate, hop_length=hop_length)


def detect_onsets(audio: np.ndarray, sample_rate: int, hop_length: int = HOP_LENGTH) -> np.ndarray:
    """Onset times in seconds ``[num_onsets]`` (librosa peak picking on the onset envelope)."""
    envelope = onset_envelope(audio, sample_rate, hop_length)
    frames = librosa.onset.onset_detect(onset_envelope=envelope, sr=sample_rate, hop_length=hop_length)
    return librosa.frames_to_time(frames, sr=sample_rate, hop_length=hop_length)


def beat_f_measure(reference_s: np.ndarray, estimated_s: np.ndarray, tolerance_s: float = 0.07) -> float:
    """F-measure of estimated vs. reference event times (each reference matched at most once within
    ``tolerance_s`` seconds, greedy in time order). 1.0 when both are empty."""
    reference = np.sort(np.asarray(reference_s, dtype=np.float64))
    estimated = np.sort(np.asarray(estimated_s, dtype=np.float64))
    if reference.size == 0 and estimated.size == 0:
        return 1.0
    if reference.size == 0 or estimated.size == 0:
        return 0.0
    used = np.zeros(reference.size, dtype=bool)
    hits = 0
    for time in estimated:
        distance = np.abs(reference - time)
        distance[used] = np.inf
        best = int(np.argmin(distance))
        if distance[best] <= tolerance_s:
            used[best] = True
            hits += 1
    precision = hits / estimated.size
    recall = hits / reference.size
    return 0.0 if hits == 0 else 2 * precision * recall / (precision + recall)
