"""``melstat``: a deterministic stand-in audio embedder (log-mel statistics), for offline evaluation.

Its numbers are named ``fd_melstat`` / ``kl_melstat`` and are never comparable with FAD, PANNs FD or KL
computed with trained networks. Definition (version ``melstat-v1``): mono audio resampled to 16 kHz (soxr),
25 ms Hann window, 10 ms hop, 64 mel bands 50–8000 Hz, ``log(mel + 1e-6)``; non-overlapping 0.96 s blocks
(96 frames); per block the mean and std over time of each band → 128-d. The pseudo-classifier logits of a clip
are a fixed projection (seed 0) of its mean log-mel spectrum onto 64 "classes".
"""

from __future__ import annotations

from collections.abc import Sequence

import librosa
import numpy as np

from mumo.audio import resample

MELSTAT_VERSION = "melstat-v1"
SAMPLE_RATE = 16_000
WINDOW = 400
HOP = 160
NUM_MELS = 64
BLOCK_FRAMES = 96
NUM_PSEUDO_CLASSES = 64


class MelStatEmbedder:
    """Block embeddings ``[num_blocks, 128]`` and pseudo-class logits ``[64]`` of waveforms."""

    name = "melstat"
    sample_rate = SAMPLE_RATE

    def __init__(self) -> None:
        self._mel = librosa.filters.mel(sr=SAMPLE_RATE, n_fft=512, n_mels=NUM_MELS, fmin=50.0, fmax=8000.0)
        self._projection = np.random.default_rng(0).standard_normal((NUM_MELS, NUM_PSEUDO_CLASSES)) / 8.0

    def log_mel(self, audio: np.ndarray, sample_rate: int) -> np.ndarray:
        """``[frames, 64]`` log-mel spectrogram of a mono waveform ``[N]`` or ``[1, N]``."""
        mono = resample(np.asarray(audio, dtype=np.float32).reshape(1, -1), sample_rate, SAMPLE_RATE)[0]
        if mono.size < WINDOW:
            mono = np.pad(mono, (0, WINDOW - mono.size))
        spectrum = (
            np.abs(librosa.stft(mono, n_fft=512, hop_length=HOP, win_length=WINDOW, window="hann")) ** 2
        )
        return np.log(self._mel @ spectrum + 1e-6).T

    def embed(self, audio: np.ndarray, sample_rate: int) -> np.ndarray:
        """Per-block embeddings ``[num_blocks, 128]`` (at least one block; a short clip is one block)."""
        frames = self.log_mel(audio, sample_rate)
        count = max(1, len(frames) // BLOCK_FRAMES)
        blocks = [frames[i * BLOCK_FRAMES : (i + 1) * BLOCK_FRAMES] for i in range(count)]
        return np.stack([np.concatenate([b.mean(axis=0), b.std(axis=0)]) for b in blocks])

    def logits(self, audio: np.ndarray, sample_rate: int) -> np.ndarray:
        """Pseudo-class logits ``[64]`` of one clip."""
        return self.log_mel(audio, sample_rate).mean(axis=0) @ self._projection

    def embed_many(self, clips: Sequence[np.ndarray], sample_rate: int) -> np.ndarray:
        """All block embeddings of all clips pooled, ``[total_blocks, 128]``."""
        return np.concatenate([self.embed(c, sample_rate) for c in clips])
