"""``melstat``: a deterministic stand-in audio embedder (log-mel statistics), for offline evaluation.

Its numbers are named ``fd_melstat`` / ``kl_melstat`` and are never comparable with FAD, PANNs FD or KL
computed with trained networks. Definition (version ``melstat-v1``): mono audio at 16 kHz, 25 ms Hann
window, 10 ms hop (512-point FFT, centred frames), power spectrum, 64 Slaney mel bands 50–8000 Hz,
``log(mel + 1e-6)``; non-overlapping 0.96 s blocks (96 frames; a clip shorter than one block is one block);
per block the mean and std over time of each band → 128-d, all blocks of all clips pooled. Its
pseudo-classifier logits of a clip are a fixed projection (NumPy seed 0) of the clip's mean log-mel spectrum
onto 64 "classes".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import ClassVar

import librosa
import numpy as np

from mumo.metrics.music.embedder import FD, KL_SOFTMAX, AudioEmbeddings

MELSTAT_VERSION = "melstat-v1"
SAMPLE_RATE = 16_000
WINDOW = 400
HOP = 160
FFT_SIZE = 512
NUM_MELS = 64
BLOCK_FRAMES = 96
NUM_PSEUDO_CLASSES = 64
PROJECTION_SEED = 0


class MelStatEmbedder:
    """Block embeddings ``[num_blocks, 128]`` and pseudo-class logits ``[64]`` per clip; needs no weights."""

    name = "melstat"
    sample_rate = SAMPLE_RATE
    metric_names: ClassVar[Mapping[str, str]] = MappingProxyType({FD: "fd_melstat", KL_SOFTMAX: "kl_melstat"})

    def __init__(self) -> None:
        self._mel = librosa.filters.mel(
            sr=SAMPLE_RATE, n_fft=FFT_SIZE, n_mels=NUM_MELS, fmin=50.0, fmax=8000.0
        )
        rng = np.random.default_rng(PROJECTION_SEED)
        self._projection = rng.standard_normal((NUM_MELS, NUM_PSEUDO_CLASSES)) / 8.0

    def unavailable_reason(self) -> str | None:
        return None

    def describe(self) -> dict[str, str | int | None]:
        return {"name": self.name, "sample_rate": self.sample_rate, "version": MELSTAT_VERSION}

    def log_mel(self, waveform: np.ndarray) -> np.ndarray:
        """``[frames, 64]`` log-mel spectrogram of a 16 kHz mono waveform ``[N]`` or ``[1, N]``."""
        mono = np.asarray(waveform, dtype=np.float32).reshape(-1)
        if mono.size < WINDOW:
            mono = np.pad(mono, (0, WINDOW - mono.size))
        spectrum = (
            np.abs(librosa.stft(mono, n_fft=FFT_SIZE, hop_length=HOP, win_length=WINDOW, window="hann")) ** 2
        )
        return np.log(self._mel @ spectrum + 1e-6).T

    @staticmethod
    def block_embeddings(frames: np.ndarray) -> np.ndarray:
        """``[num_blocks, 128]`` per-block band means and stds of one clip's log-mel frames ``[F, 64]``."""
        count = max(1, len(frames) // BLOCK_FRAMES)
        blocks = [frames[i * BLOCK_FRAMES : (i + 1) * BLOCK_FRAMES] for i in range(count)]
        return np.stack([np.concatenate([b.mean(axis=0), b.std(axis=0)]) for b in blocks])

    def embed(self, waveforms: Sequence[np.ndarray]) -> AudioEmbeddings:
        """Pooled block embeddings ``[total_blocks, 128]`` and per-clip pseudo-class logits ``[M, 64]``."""
        log_mels = [self.log_mel(w) for w in waveforms]
        embeddings = np.concatenate([self.block_embeddings(m) for m in log_mels])
        logits = np.stack([m.mean(axis=0) @ self._projection for m in log_mels])
        return AudioEmbeddings(embeddings.astype(np.float64), logits.astype(np.float64))
