"""The music tokenizer for the synthetic default: a trained :class:`AudioCodec` in a directory.

A directory holds ``config.json`` (``kind: "audio_codec"``) and ``model.safetensors``.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from mumo.errors import AudioError
from mumo.tokenizers.artifacts import load_weights, read_model_config, write_artifacts
from mumo.tokenizers.audio_codec import AudioCodec, AudioCodecConfig

MUSIC_KIND = "audio_codec"


def to_mono(waveform: torch.Tensor) -> torch.Tensor:
    """``[B, C, N]`` waveforms averaged over channels to ``[B, 1, N]``.

    Raises:
        AudioError: ``waveform`` is not three-dimensional.
    """
    if waveform.dim() != 3:
        raise AudioError(f"waveform must be [B, C, N], got shape {tuple(waveform.shape)}")
    return waveform.mean(dim=1, keepdim=True)


class MusicTokenizer(nn.Module):
    """Waveforms ``[B, C, N]`` (mixed to mono) at ``sample_rate`` Hz ↔ codes ``[B, K, T]`` at 50 Hz."""

    def __init__(self, codec: AudioCodec) -> None:
        super().__init__()
        self.codec = codec

    @classmethod
    def create(cls, config: AudioCodecConfig) -> MusicTokenizer:
        """A new, untrained tokenizer."""
        return cls(AudioCodec(config))

    @property
    def sample_rate(self) -> int:
        """Waveform sample rate, Hz."""
        return self.codec.config.sample_rate

    @property
    def frame_rate(self) -> float:
        """Code frames per second (Hz)."""
        return self.sample_rate / self.codec.config.hop_length

    @property
    def num_codebooks(self) -> int:
        """K, the number of code streams."""
        return self.codec.config.quantizer.num_codebooks

    @property
    def cardinality(self) -> int:
        """Entries per codebook."""
        return self.codec.config.quantizer.codebook_size

    def codebooks(self) -> torch.Tensor:
        """A copy of the quantiser's codebooks ``[K, N, D]`` (to share with a motion tokenizer)."""
        return self.codec.quantizer.codebooks.detach().clone()

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Codes ``[B, K, ceil(N / hop)]`` (int64) of waveforms ``[B, C, N]`` at :attr:`sample_rate`."""
        return self.codec.encode(to_mono(x).to(self._device))

    def decode(self, codes: torch.Tensor, num_samples: int | None = None) -> torch.Tensor:
        """Mono waveforms ``[B, 1, T * hop]`` (or ``num_samples`` long) from ``codes [B, K, T]``."""
        return self.codec.decode(codes.to(self._device), num_samples)

    def save(self, directory: str | Path) -> None:
        """Write ``config.json`` and ``model.safetensors`` into ``directory``."""
        write_artifacts(directory, MUSIC_KIND, {"model": self.codec.config.to_dict()}, self.codec)

    @classmethod
    def load(cls, directory: str | Path) -> MusicTokenizer:
        """Read a directory written by :meth:`save`.

        Raises:
            CheckpointError: a file is missing, of another kind, or does not fit the configuration.
        """
        codec_config = read_model_config(directory, MUSIC_KIND, AudioCodecConfig.from_dict)
        codec = AudioCodec(codec_config)
        load_weights(directory, codec)
        return cls(codec)

    @property
    def _device(self) -> torch.device:
        return next(self.codec.parameters()).device
