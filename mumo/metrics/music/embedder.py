"""The audio-embedder interface the music metrics are computed over.

An embedder turns waveforms at its own sample rate into embedding rows (one per clip, or one per fixed-length
block of a clip, pooled over all clips) and, if it has a classifier head, one row of class logits per clip.
It also says which result names its numbers carry, so a stand-in embedder can never report under a published
metric name.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

FD = "fd"
KL_SOFTMAX = "kl_softmax"
KL_SIGMOID = "kl_sigmoid"
METRIC_KINDS = (FD, KL_SOFTMAX, KL_SIGMOID)
"""Kinds of numbers an embedder can back: Fréchet distance of embeddings, KL of softmax / sigmoid logits."""


@dataclass(frozen=True)
class AudioEmbeddings:
    """What an embedder returns for ``M`` clips.

    Attributes:
        embeddings: ``[N, D]`` rows; ``N = M`` for clip-level embedders, the total block count for block-level
            ones (all blocks of all clips pooled, as FAD does).
        logits: ``[M, C]`` class logits (pre-softmax/sigmoid), one row per clip in input order, or ``None``.
    """

    embeddings: np.ndarray
    logits: np.ndarray | None = None


@runtime_checkable
class AudioEmbedder(Protocol):
    """A (possibly pretrained) audio network the music metrics use.

    Attributes:
        name: identifier recorded with every result, e.g. ``"melstat"`` or ``"panns_cnn14_16k"``.
        sample_rate: rate in Hz the waveforms given to :meth:`embed` must have.
        metric_names: metric kind (``"fd"``, ``"kl_softmax"``, ``"kl_sigmoid"``) → result key, e.g.
            ``{"fd": "frechet_audio_distance"}``. Kinds not listed are not computed with this embedder.
    """

    name: str
    sample_rate: int
    metric_names: Mapping[str, str]

    def unavailable_reason(self) -> str | None:
        """Why this embedder cannot run (e.g. its weight file is missing, naming the expected path), or
        ``None`` when it can."""
        ...

    def describe(self) -> dict[str, str | int | None]:
        """Provenance recorded with the results: name, sample rate, weight file and its SHA-256."""
        ...

    def embed(self, waveforms: Sequence[np.ndarray]) -> AudioEmbeddings:
        """Embed mono waveforms (``[N]`` or ``[1, N]`` float32 at :attr:`sample_rate`)."""
        ...


def sha256_of(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes (to record which weights produced a number)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


MIN_SAMPLES = 32_000
"""Shorter clips are zero-padded to this many samples (2 s at 16 kHz), as audioldm_eval does."""


def audioldm_eval_waveform(waveform: np.ndarray) -> np.ndarray:
    """audioldm_eval's clip preparation: mono ``[N]`` float32, clip mean (DC) removed, zero-padded to at least
    :data:`MIN_SAMPLES` samples."""
    mono = np.asarray(waveform, dtype=np.float32).reshape(-1)
    mono = mono - mono.mean()
    return np.pad(mono, (0, max(0, MIN_SAMPLES - mono.size)))


class WeightFileEmbedder(ABC):
    """Shared bookkeeping of embedders whose network weights come from one local file.

    Subclasses set ``name``, ``sample_rate``, ``metric_names`` and ``weights_file_name`` (the published file
    name, used in messages), and implement ``_load(path)`` returning the ready network and ``embed``.
    """

    name: str
    sample_rate: int
    metric_names: Mapping[str, str]
    weights_file_name: str

    def __init__(self, weights_path: str | Path) -> None:
        self.weights_path = Path(weights_path)
        self._model = None

    def unavailable_reason(self) -> str | None:
        if self.weights_path.is_file():
            return None
        return (
            f"{self.name} weights not found at {self.weights_path} "
            f"(expected the published file {self.weights_file_name}; mumo never downloads weights)"
        )

    def describe(self) -> dict[str, str | int | None]:
        available = self.weights_path.is_file()
        return {
            "name": self.name,
            "sample_rate": self.sample_rate,
            "weights": str(self.weights_path),
            "weights_sha256": sha256_of(self.weights_path) if available else None,
        }

    @property
    def model(self):
        """The network, loaded from :attr:`weights_path` on first use."""
        if self._model is None:
            self._model = self._load(self.weights_path)
        return self._model

    @abstractmethod
    def _load(self, path: Path):
        """The network with weights from ``path`` (raises :class:`~mumo.errors.CheckpointError`)."""

    @abstractmethod
    def embed(self, waveforms: Sequence[np.ndarray]) -> AudioEmbeddings:
        """See :meth:`AudioEmbedder.embed`."""
