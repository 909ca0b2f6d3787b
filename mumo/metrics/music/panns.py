"""PANNs CNN14 (16 kHz variant) as used by audioldm_eval for ``frechet_distance`` and the KL metrics.

Only the architecture is here; the weights (``Cnn14_16k_mAP=0.438.pth``) must be supplied as a local file.
The log-mel front end (window 512, hop 160, 64 mel bands 50–8000 Hz, ``10 log10`` power) is computed with
``torch.stft`` and librosa's Slaney mel filters; the checkpoint's fixed front-end tensors
(``spectrogram_extractor.*``, ``logmel_extractor.*``) are therefore not loaded — every other tensor must
match exactly. :class:`Cnn14Embedder` exposes it as an :class:`~mumo.metrics.music.embedder.AudioEmbedder`
for ``frechet_distance``, ``kl_softmax`` and ``kl_sigmoid``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import ClassVar

import librosa
import numpy as np
import torch
from torch import nn

from mumo.errors import CheckpointError
from mumo.metrics.music.embedder import (
    FD,
    KL_SIGMOID,
    KL_SOFTMAX,
    AudioEmbeddings,
    WeightFileEmbedder,
    audioldm_eval_waveform,
)
from mumo.weights import load_state_strict

SAMPLE_RATE = 16_000
NUM_CLASSES = 527
WEIGHTS_FILE_NAME = "Cnn14_16k_mAP=0.438.pth"
FRONT_END_PREFIXES = ("spectrogram_extractor.", "logmel_extractor.")


class ConvBlock(nn.Module):
    """Two 3x3 conv + batch-norm + ReLU, then 2x2 average pooling (``[B, C, T, F]``)."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.bn2 = nn.BatchNorm2d(out_channels)

    def forward(self, x: torch.Tensor, pool: tuple[int, int]) -> torch.Tensor:
        x = torch.relu(self.bn1(self.conv1(x)))
        x = torch.relu(self.bn2(self.conv2(x)))
        return nn.functional.avg_pool2d(x, pool)


class Cnn14(nn.Module):
    """CNN14 at 16 kHz: waveform ``[B, N]`` → (embedding ``[B, 2048]``, AudioSet logits ``[B, 527]``)."""

    def __init__(self) -> None:
        super().__init__()
        self.bn0 = nn.BatchNorm2d(64)
        widths = (1, 64, 128, 256, 512, 1024, 2048)
        for i in range(6):
            self.add_module(f"conv_block{i + 1}", ConvBlock(widths[i], widths[i + 1]))
        self.fc1 = nn.Linear(2048, 2048)
        self.fc_audioset = nn.Linear(2048, NUM_CLASSES)
        mel = librosa.filters.mel(sr=SAMPLE_RATE, n_fft=512, n_mels=64, fmin=50.0, fmax=8000.0)
        self.register_buffer("mel_basis", torch.from_numpy(mel.T.astype(np.float32)), persistent=False)
        self.register_buffer("window", torch.hann_window(512), persistent=False)

    def log_mel(self, waveform: torch.Tensor) -> torch.Tensor:
        """``[B, 1, frames, 64]`` log-mel (dB, ref 1.0, amin 1e-10)."""
        spec = torch.stft(
            waveform, 512, 160, 512, self.window, center=True, pad_mode="reflect", return_complex=True
        )
        power = spec.abs().pow(2).transpose(1, 2)  # [B, frames, 257]
        mel = power @ self.mel_basis
        return (10.0 * torch.log10(torch.clamp(mel, min=1e-10)))[:, None]

    def forward(self, waveform: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.log_mel(waveform)
        x = self.bn0(x.transpose(1, 3)).transpose(1, 3)
        for i in range(1, 7):
            x = getattr(self, f"conv_block{i}")(x, (2, 2) if i < 6 else (1, 1))
        x = x.mean(dim=3)
        x = x.max(dim=2).values + x.mean(dim=2)
        embedding = torch.relu(self.fc1(x))
        return embedding, self.fc_audioset(embedding)


def load_cnn14(weights_path: str | Path) -> Cnn14:
    """CNN14 with weights from a local PANNs checkpoint (``{'model': state_dict}`` or a bare state dict).

    Raises:
        CheckpointError: missing file, or missing / unexpected / mis-shaped tensors (listed).
    """
    path = Path(weights_path)
    if not path.is_file():
        raise CheckpointError(f"PANNs CNN14 weights not found at {path} (expected {WEIGHTS_FILE_NAME})")
    state = torch.load(path, map_location="cpu", weights_only=True)
    state = state.get("model", state)
    state = {k: v for k, v in state.items() if not k.startswith(FRONT_END_PREFIXES)}
    model = Cnn14()
    load_state_strict(model, state, str(path))
    return model.eval()


class Cnn14Embedder(WeightFileEmbedder):
    """PANNs CNN14 (16 kHz) as an audio embedder: one 2048-d embedding and 527 AudioSet logits per clip.

    Each clip is prepared like audioldm_eval (DC removed, padded to 2 s) and run whole, in eval mode.
    """

    name = "panns_cnn14_16k"
    sample_rate = SAMPLE_RATE
    metric_names: ClassVar[Mapping[str, str]] = MappingProxyType(
        {FD: "frechet_distance", KL_SOFTMAX: "kl_softmax", KL_SIGMOID: "kl_sigmoid"}
    )
    weights_file_name = WEIGHTS_FILE_NAME

    def _load(self, path: Path) -> Cnn14:
        return load_cnn14(path)

    @torch.no_grad()
    def embed(self, waveforms: Sequence[np.ndarray]) -> AudioEmbeddings:
        embeddings, logits = [], []
        for waveform in waveforms:
            clip = torch.from_numpy(audioldm_eval_waveform(waveform))[None]
            embedding, clip_logits = self.model(clip)
            embeddings.append(embedding[0].double().numpy())
            logits.append(clip_logits[0].double().numpy())
        return AudioEmbeddings(np.stack(embeddings), np.stack(logits))
