"""VGGish as audioldm_eval uses it for ``frechet_audio_distance``: raw 128-d embeddings, no PCA, no last ReLU.

Only the architecture is here; the PyTorch weights (``vggish-10086976.pth``) must be supplied as a local file.
Front end: 16 kHz, 25 ms periodic Hann window, 10 ms hop, 64 HTK mel bands 125–7500 Hz, ``log(mel + 0.01)``,
non-overlapping 0.96 s examples of 96 x 64.
"""

from __future__ import annotations

from pathlib import Path

import librosa
import numpy as np
import torch
from torch import nn

from mumo.errors import CheckpointError
from mumo.weights import load_state_strict

SAMPLE_RATE = 16_000
EXAMPLE_FRAMES = 96


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


def log_mel_examples(waveform: np.ndarray) -> np.ndarray:
    """``[num_examples, 1, 96, 64]`` log-mel examples of a 16 kHz mono waveform ``[N]``."""
    window = np.hanning(401)[:-1]  # periodic Hann, 400 samples
    spectrum = np.abs(
        librosa.stft(waveform, n_fft=512, hop_length=160, win_length=400, window=window, center=False)
    )
    mel = librosa.filters.mel(
        sr=SAMPLE_RATE, n_fft=512, n_mels=64, fmin=125.0, fmax=7500.0, htk=True, norm=None
    )
    frames = np.log(mel @ spectrum + 0.01).T
    count = len(frames) // EXAMPLE_FRAMES
    return frames[: count * EXAMPLE_FRAMES].reshape(count, 1, EXAMPLE_FRAMES, 64).astype(np.float32)


def load_vggish(weights_path: str | Path) -> VGGish:
    """VGGish with weights from a local state-dict file.

    Raises:
        CheckpointError: missing file, or missing / unexpected / mis-shaped tensors (listed).
    """
    path = Path(weights_path)
    if not path.is_file():
        raise CheckpointError(f"VGGish weights not found at {path} (expected vggish-10086976.pth)")
    model = VGGish()
    load_state_strict(model, torch.load(path, map_location="cpu", weights_only=True), str(path))
    return model.eval()
