"""The interface every tokenizer (music codec, motion VQ-VAE) implements."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

import torch


@runtime_checkable
class Tokenizer(Protocol):
    """Turns a signal into K parallel code streams and back.

    ``encode(x) -> LongTensor [B, K, T]`` with values in ``[0, cardinality)`` at ``frame_rate`` Hz;
    ``decode(codes) -> x``. Music tokenizers take and return waveforms ``[B, 1, N]`` at ``sample_rate`` Hz;
    motion tokenizers take and return normalised 263-d features ``[B, T_frames, 263]`` at their input fps.
    """

    @property
    def frame_rate(self) -> float:
        """Code frames per second (Hz)."""
        ...

    @property
    def num_codebooks(self) -> int:
        """K, the number of parallel code streams."""
        ...

    @property
    def cardinality(self) -> int:
        """Entries per codebook."""
        ...

    def encode(self, x: torch.Tensor) -> torch.Tensor: ...

    def decode(self, codes: torch.Tensor) -> torch.Tensor: ...

    def save(self, directory: str | Path) -> None:
        """Write ``config.json`` and ``model.safetensors`` into ``directory``."""
        ...
