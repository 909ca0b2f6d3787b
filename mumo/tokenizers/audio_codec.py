"""A small trainable waveform codec: strided convolutions down to 50 Hz, residual VQ, transposed
convolutions back to the waveform.

With the default ratios ``(8, 5, 4, 4)`` the hop is 640 samples, so 32 kHz audio gives 50 code frames per
second. A waveform of ``N`` samples is zero-padded to ``T = ceil(N / hop)`` frames; decoding gives
``T * hop`` samples (or ``N`` when asked).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from mumo.errors import AudioError, ConfigError
from mumo.tokenizers.rvq import QuantizerOutput, ResidualVectorQuantizer, RVQConfig


@dataclass(frozen=True)
class AudioCodecConfig:
    """Architecture and loss of an :class:`AudioCodec`.

    Attributes:
        sample_rate: waveform sample rate, Hz.
        ratios: downsampling factor of each encoder stage (product = hop length in samples).
        channels: width of the first stage; each stage doubles it.
        quantizer: the residual VQ (its ``dim`` is the latent width).
        stft_sizes: FFT sizes of the multi-resolution STFT magnitude loss (hop = size / 4).
        stft_weight: weight of the STFT loss next to the waveform L1.
        commitment_weight: weight of the commitment loss.
    """

    sample_rate: int = 32_000
    ratios: tuple[int, ...] = (8, 5, 4, 4)
    channels: int = 16
    quantizer: RVQConfig = field(
        default_factory=lambda: RVQConfig(num_codebooks=4, codebook_size=1024, dim=64)
    )
    stft_sizes: tuple[int, ...] = (256, 512, 1024)
    stft_weight: float = 1.0
    commitment_weight: float = 0.1

    def __post_init__(self) -> None:
        if self.sample_rate < 1 or self.channels < 1 or not self.ratios or min(self.ratios) < 1:
            raise ConfigError(f"audio codec needs positive sample_rate, channels and ratios, got {self}")

    @property
    def hop_length(self) -> int:
        """Samples per code frame."""
        return math.prod(self.ratios)

    def to_dict(self) -> dict:
        """Plain JSON-serialisable form."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> AudioCodecConfig:
        """Inverse of :meth:`to_dict`."""
        data = dict(data)
        data["ratios"] = tuple(data["ratios"])
        data["stft_sizes"] = tuple(data["stft_sizes"])
        data["quantizer"] = RVQConfig(**data["quantizer"])
        return cls(**data)


@dataclass
class AudioCodecOutput:
    """Result of :meth:`AudioCodec.forward`.

    Attributes:
        reconstruction: ``[B, 1, N]`` decoded waveform.
        codes: ``[B, K, T]`` code indices.
        loss: scalar total loss.
        waveform_loss: scalar L1 between waveforms.
        stft_loss: scalar multi-resolution log-magnitude + magnitude L1.
        quantizer: the quantiser's output (commitment loss, usage, perplexity).
    """

    reconstruction: torch.Tensor
    codes: torch.Tensor
    loss: torch.Tensor
    waveform_loss: torch.Tensor
    stft_loss: torch.Tensor
    quantizer: QuantizerOutput


class ResidualUnit(nn.Module):
    """``x + Conv1x1(ELU(Conv_k7(ELU(x))))`` at constant width; ``[B, C, T] -> [B, C, T]``."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.block = nn.Sequential(
            nn.ELU(), nn.Conv1d(channels, channels, 7, padding=3), nn.ELU(), nn.Conv1d(channels, channels, 1)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.block(x)


class Upsample(nn.Module):
    """Transposed convolution by ``ratio`` that returns exactly ``ratio * T`` steps."""

    def __init__(self, channels_in: int, channels_out: int, ratio: int) -> None:
        super().__init__()
        self.ratio = ratio
        self.conv = nn.ConvTranspose1d(channels_in, channels_out, 2 * ratio, stride=ratio)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        steps = x.shape[-1] * self.ratio
        start = self.ratio // 2
        return self.conv(x)[..., start : start + steps]  # conv gives (T + 1) * ratio steps


def _encoder(config: AudioCodecConfig) -> nn.Sequential:
    width = config.channels
    layers: list[nn.Module] = [nn.Conv1d(1, width, 7, padding=3)]
    for ratio in config.ratios:
        layers += [
            ResidualUnit(width),
            nn.ELU(),
            nn.Conv1d(width, 2 * width, 2 * ratio, stride=ratio, padding=math.ceil(ratio / 2)),
        ]
        width *= 2
    layers += [nn.ELU(), nn.Conv1d(width, config.quantizer.dim, 3, padding=1)]
    return nn.Sequential(*layers)


def _decoder(config: AudioCodecConfig) -> nn.Sequential:
    width = config.channels * 2 ** len(config.ratios)
    layers: list[nn.Module] = [nn.Conv1d(config.quantizer.dim, width, 7, padding=3)]
    for ratio in reversed(config.ratios):
        layers += [nn.ELU(), Upsample(width, width // 2, ratio), ResidualUnit(width // 2)]
        width //= 2
    layers += [nn.ELU(), nn.Conv1d(width, 1, 7, padding=3), nn.Tanh()]
    return nn.Sequential(*layers)


def multi_resolution_stft_loss(
    predicted: torch.Tensor, target: torch.Tensor, sizes: tuple[int, ...]
) -> torch.Tensor:
    """Mean over FFT ``sizes`` of L1(|S_pred| - |S|) + L1(log|S_pred| - log|S|) for waveforms ``[B, 1, N]``
    (Hann window, hop = size / 4)."""
    losses = []
    for size in sizes:
        window = torch.hann_window(size, device=predicted.device)
        spectra = [
            torch.stft(x[:, 0], size, hop_length=size // 4, window=window, return_complex=True).abs()
            for x in (predicted, target)
        ]
        magnitude = F.l1_loss(spectra[0], spectra[1])
        log_magnitude = F.l1_loss(torch.log(spectra[0] + 1e-5), torch.log(spectra[1] + 1e-5))
        losses.append(magnitude + log_magnitude)
    return torch.stack(losses).mean()


class AudioCodec(nn.Module):
    """Mono waveforms ``[B, 1, N]`` at ``sample_rate`` ↔ codes ``[B, K, ceil(N / hop)]``."""

    def __init__(self, config: AudioCodecConfig) -> None:
        super().__init__()
        self.config = config
        self.encoder = _encoder(config)
        self.quantizer = ResidualVectorQuantizer(config.quantizer)
        self.decoder = _decoder(config)

    def embed(self, waveform: torch.Tensor) -> torch.Tensor:
        """Latents ``[B, D, T]`` of ``waveform [B, 1, N]`` (zero-padded to a whole number of hops)."""
        if waveform.dim() != 3 or waveform.shape[1] != 1 or waveform.shape[-1] < 1:
            raise AudioError(f"waveform must be mono [B, 1, N] with N >= 1, got {tuple(waveform.shape)}")
        hop = self.config.hop_length
        padding = -waveform.shape[-1] % hop
        return self.encoder(F.pad(waveform.float(), (0, padding)))

    def forward(self, waveform: torch.Tensor) -> AudioCodecOutput:
        """Encode, quantise and decode ``waveform [B, 1, N]``, with the training loss."""
        quantized = self.quantizer(self.embed(waveform))
        reconstruction = self.decoder(quantized.quantized)[..., : waveform.shape[-1]]
        target = waveform.float()
        waveform_loss = F.l1_loss(reconstruction, target)
        stft_loss = multi_resolution_stft_loss(reconstruction, target, self.config.stft_sizes)
        loss = (
            waveform_loss
            + self.config.stft_weight * stft_loss
            + self.config.commitment_weight * quantized.commitment_loss
        )
        return AudioCodecOutput(reconstruction, quantized.codes, loss, waveform_loss, stft_loss, quantized)

    @torch.no_grad()
    def encode(self, waveform: torch.Tensor) -> torch.Tensor:
        """Codes ``[B, K, T]`` (int64) of ``waveform [B, 1, N]``, ``T = ceil(N / hop)``."""
        return self.quantizer.encode(self.embed(waveform))

    @torch.no_grad()
    def decode(self, codes: torch.Tensor, num_samples: int | None = None) -> torch.Tensor:
        """Waveform ``[B, 1, T * hop]`` (or ``[B, 1, num_samples]``) from ``codes [B, K, T]``."""
        waveform = self.decoder(self.quantizer.decode(codes))
        return waveform if num_samples is None else waveform[..., :num_samples]
