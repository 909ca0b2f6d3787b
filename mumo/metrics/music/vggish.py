"""VGGish as audioldm_eval uses it for ``frechet_audio_distance``: raw 128-d embeddings, no PCA, no last ReLU.

Only the architecture is here; the PyTorch weights (``vggish-10086976.pth``) must be supplied as a local file.
Front end (VGGish's own definition): 16 kHz, 25 ms periodic Hann frames every 10 ms (no centring), magnitude
of a 512-point FFT, 64 mel bands 125–7500 Hz with triangles built on the HTK mel scale (DC bin zeroed),
``log(mel + 0.01)``, non-overlapping 0.96 s examples of 96 x 64. Every example of every clip is one embedding
row; FAD pools them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import ClassVar

import numpy as np
import torch
from torch import nn

from mumo.errors import CheckpointError
from mumo.metrics.music.embedder import FD, AudioEmbeddings, WeightFileEmbedder, audioldm_eval_waveform
from mumo.weights import load_state_strict

SAMPLE_RATE = 16_000
WINDOW = 400
HOP = 160
FFT_SIZE = 512
NUM_MELS = 64
MEL_LOW_HZ = 125.0
MEL_HIGH_HZ = 7500.0
LOG_OFFSET = 0.01
EXAMPLE_FRAMES = 96
WEIGHTS_FILE_NAME = "vggish-10086976.pth"


class VGGish(nn.Module):
    """Log-mel examples ``[N, 1, 96, 64]`` → embeddings ``[N, 128]``."""

    def __init__(self) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        channels = 1
        for width, convs in ((64, 1), (128, 1), (256, 2), (512, 2)):
            for _ in range(convs):
                layers += [nn.Conv2d(channels, width, 3, padding=1), nn.ReLU(inplace=True)]
                channels = width
            layers.append(nn.MaxPool2d(2, 2))
        self.features = nn.Sequential(*layers)
        self.embeddings = nn.Sequential(
            nn.Linear(512 * 4 * 6, 4096),
            nn.ReLU(inplace=True),
            nn.Linear(4096, 4096),
            nn.ReLU(inplace=True),
            nn.Linear(4096, 128),
        )

    def forward(self, examples: torch.Tensor) -> torch.Tensor:
        x = self.features(examples)
        x = x.permute(0, 2, 3, 1).contiguous()  # channels last, as the reference flattens
        return self.embeddings(x.view(x.shape[0], -1))


def _hz_to_mel(hz: np.ndarray) -> np.ndarray:
    return 1127.0 * np.log1p(np.asarray(hz) / 700.0)


def mel_matrix() -> np.ndarray:
    """``[257, 64]`` VGGish mel weights: triangles linear on the HTK mel scale, unnormalised, DC row zero."""
    bins_mel = _hz_to_mel(np.linspace(0.0, SAMPLE_RATE / 2, FFT_SIZE // 2 + 1))
    edges = np.linspace(_hz_to_mel(MEL_LOW_HZ), _hz_to_mel(MEL_HIGH_HZ), NUM_MELS + 2)
    lower, center, upper = edges[:-2], edges[1:-1], edges[2:]
    rising = (bins_mel[:, None] - lower) / (center - lower)
    falling = (upper - bins_mel[:, None]) / (upper - center)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    weights[0] = 0.0
    return weights


def log_mel_examples(waveform: np.ndarray) -> np.ndarray:
    """``[num_examples, 1, 96, 64]`` log-mel examples of a 16 kHz mono waveform ``[N]`` (a partial last
    example is dropped)."""
    waveform = np.asarray(waveform, dtype=np.float64).reshape(-1)
    num_frames = 1 + (waveform.size - WINDOW) // HOP if waveform.size >= WINDOW else 0
    starts = np.arange(num_frames)[:, None] * HOP
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(WINDOW) / WINDOW)  # periodic Hann
    magnitude = np.abs(np.fft.rfft(waveform[starts + np.arange(WINDOW)] * window, n=FFT_SIZE))
    frames = np.log(magnitude @ mel_matrix() + LOG_OFFSET)
    count = len(frames) // EXAMPLE_FRAMES
    return frames[: count * EXAMPLE_FRAMES].reshape(count, 1, EXAMPLE_FRAMES, NUM_MELS).astype(np.float32)


def load_vggish(weights_path: str | Path) -> VGGish:
    """VGGish with weights from a local state-dict file.

    Raises:
        CheckpointError: missing file, or missing / unexpected / mis-shaped tensors (listed).
    """
    path = Path(weights_path)
    if not path.is_file():
        raise CheckpointError(f"VGGish weights not found at {path} (expected {WEIGHTS_FILE_NAME})")
    model = VGGish()
    load_state_strict(model, torch.load(path, map_location="cpu", weights_only=True), str(path))
    return model.eval()


class VGGishEmbedder(WeightFileEmbedder):
    """VGGish as an audio embedder: one 128-d row per 0.96 s example, all clips pooled; no logits."""

    name = "vggish"
    sample_rate = SAMPLE_RATE
    metric_names: ClassVar[Mapping[str, str]] = MappingProxyType({FD: "frechet_audio_distance"})
    weights_file_name = WEIGHTS_FILE_NAME

    def _load(self, path: Path) -> VGGish:
        return load_vggish(path)

    @torch.no_grad()
    def embed(self, waveforms: Sequence[np.ndarray]) -> AudioEmbeddings:
        examples = np.concatenate([log_mel_examples(audioldm_eval_waveform(w)) for w in waveforms])
        return AudioEmbeddings(self.model(torch.from_numpy(examples)).double().numpy())
