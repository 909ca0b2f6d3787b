"""Residual vector quantisation: K codebooks applied in turn, each to what the previous ones left over.

Codebooks learn by exponential moving averages of the vectors assigned to each code (no gradient), start
from the first batch (k-means++ seeding), and re-seed codes that stay unused. A quantiser can instead be
``frozen`` around external codebooks (e.g. a music codec's), in which case nothing in it ever changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from mumo.errors import ConfigError, DataError


@dataclass(frozen=True)
class RVQConfig:
    """Shape and learning rules of a :class:`ResidualVectorQuantizer`.

    Attributes:
        num_codebooks: K, quantisation stages.
        codebook_size: N, entries per codebook.
        dim: D, dimension of the quantised vectors.
        decay: EMA decay of code counts and sums (closer to 1 = slower codebook updates).
        dead_code_steps: a code unused for this many consecutive training steps is re-seeded from the batch.
        init: ``"kmeans++"`` (k-means++ seeding) or ``"random"`` (random batch vectors) for the first batch.
        frozen: codebooks never change (external codebooks; no EMA, no initialisation, no restarts).
    """

    num_codebooks: int = 4
    codebook_size: int = 512
    dim: int = 128
    decay: float = 0.99
    dead_code_steps: int = 50
    init: str = "kmeans++"
    frozen: bool = False

    def __post_init__(self) -> None:
        if min(self.num_codebooks, self.codebook_size, self.dim, self.dead_code_steps) < 1:
            raise ConfigError(f"RVQ sizes must be positive, got {self}")
        if not 0.0 <= self.decay < 1.0:
            raise ConfigError(f"RVQ decay must be in [0, 1), got {self.decay}")
        if self.init not in ("kmeans++", "random"):
            raise ConfigError(f"RVQ init must be 'kmeans++' or 'random', got {self.init!r}")


@dataclass
class QuantizerOutput:
    """Result of :meth:`ResidualVectorQuantizer.forward`.

    Attributes:
        quantized: ``[B, D, T]`` sum of the chosen codes, with straight-through gradients to the input.
        codes: ``[B, K, T]`` int64 code indices.
        commitment_loss: scalar mean squared distance between the input and its (detached) quantisation.
        usage: ``[K]`` fraction of each codebook's entries used in this batch.
        perplexity: ``[K]`` exp(entropy) of each codebook's code histogram in this batch.
    """

    quantized: torch.Tensor
    codes: torch.Tensor
    commitment_loss: torch.Tensor
    usage: torch.Tensor
    perplexity: torch.Tensor


class ResidualVectorQuantizer(nn.Module):
    """K-stage residual VQ over ``[B, D, T]`` sequences of vectors.

    Buffers: ``codebooks [K, N, D]``, ``ema_count [K, N]``, ``ema_sum [K, N, D]``, ``unused_steps [K, N]``
    and ``initialized`` (bool scalar); all are saved in the state dict.
    """

    def __init__(self, config: RVQConfig, codebooks: torch.Tensor | None = None) -> None:
        """Build a quantiser; ``codebooks [K, N, D]`` (if given) replace the random start and count as
        initialised (use with ``config.frozen`` for external codebooks)."""
        super().__init__()
        self.config = config
        shape = (config.num_codebooks, config.codebook_size, config.dim)
        if codebooks is not None and tuple(codebooks.shape) != shape:
            raise ConfigError(f"external codebooks have shape {tuple(codebooks.shape)}, expected {shape}")
        start = torch.randn(shape) if codebooks is None else codebooks.detach().clone().float()
        self.register_buffer("codebooks", start)
        self.register_buffer("ema_count", torch.ones(shape[:2]))
        self.register_buffer("ema_sum", start.clone())
        self.register_buffer("unused_steps", torch.zeros(shape[:2], dtype=torch.long))
        self.register_buffer("initialized", torch.tensor(codebooks is not None or config.frozen))

    @property
    def frozen(self) -> bool:
        """Whether the codebooks are fixed."""
        return self.config.frozen

    def forward(self, x: torch.Tensor) -> QuantizerOutput:
        """Quantise ``x [B, D, T]``; in training mode (and not frozen) also update the codebooks."""
        batch, dim, steps = x.shape
        vectors = x.detach().transpose(1, 2).reshape(-1, dim).float()  # [B*T, D]
        learn = self.training and not self.frozen
        residual = vectors
        quantized = torch.zeros_like(vectors)
        all_codes = []
        usage, perplexity = [], []
        for k in range(self.config.num_codebooks):
            if learn and not bool(self.initialized):
                self._seed_codebook(k, residual)
            codes = self._nearest(k, residual)  # [B*T]
            chosen = self.codebooks[k][codes]
            quantized = quantized + chosen
            if learn:
                self._ema_update(k, residual, codes)
            residual = residual - chosen
            histogram = torch.bincount(codes, minlength=self.config.codebook_size).float()
            usage.append((histogram > 0).float().mean())
            probs = histogram / histogram.sum()
            perplexity.append(torch.exp(-(probs * torch.log(probs.clamp_min(1e-12))).sum()))
            all_codes.append(codes)
        if learn:
            self.initialized.fill_(True)
        quantized = quantized.reshape(batch, steps, dim).transpose(1, 2).to(x.dtype)  # [B, D, T]
        return QuantizerOutput(
            quantized=x + (quantized - x).detach(),
            codes=torch.stack(all_codes, dim=-1).reshape(batch, steps, -1).transpose(1, 2),
            commitment_loss=F.mse_loss(x, quantized.detach()),
            usage=torch.stack(usage),
            perplexity=torch.stack(perplexity),
        )

    @torch.no_grad()
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Code indices ``[B, K, T]`` (int64) of ``x [B, D, T]``; never updates the codebooks."""
        batch, dim, steps = x.shape
        residual = x.transpose(1, 2).reshape(-1, dim).float()
        all_codes = []
        for k in range(self.config.num_codebooks):
            codes = self._nearest(k, residual)
            residual = residual - self.codebooks[k][codes]
            all_codes.append(codes)
        return torch.stack(all_codes, dim=-1).reshape(batch, steps, -1).transpose(1, 2)

    def decode(self, codes: torch.Tensor) -> torch.Tensor:
        """Vectors ``[B, D, T]`` (float32) summed from ``codes [B, K, T]``."""
        size = self.config.codebook_size
        if codes.dim() != 3 or codes.shape[1] != self.config.num_codebooks:
            raise DataError(
                f"codes must be [B, {self.config.num_codebooks}, T], got {tuple(codes.shape)}; "
                "decode codes made by a tokenizer with the same number of codebooks"
            )
        if codes.numel() and (int(codes.min()) < 0 or int(codes.max()) >= size):
            raise DataError(
                f"codes must lie in [0, {size}); decode codes made by a tokenizer of this cardinality"
            )
        per_stage = [self.codebooks[k][codes[:, k]] for k in range(self.config.num_codebooks)]  # [B, T, D]
        return torch.stack(per_stage).sum(0).transpose(1, 2)

    def _nearest(self, k: int, vectors: torch.Tensor) -> torch.Tensor:
        """Index of the closest entry of codebook ``k`` for each row of ``vectors [M, D]``."""
        codebook = self.codebooks[k]
        distances = (
            vectors.pow(2).sum(1, keepdim=True) - 2 * vectors @ codebook.T + codebook.pow(2).sum(1)[None]
        )
        return distances.argmin(dim=1)

    @torch.no_grad()
    def _seed_codebook(self, k: int, vectors: torch.Tensor) -> None:
        """Initialise codebook ``k`` from ``vectors [M, D]`` (k-means++ seeding or random rows)."""
        size = self.config.codebook_size
        if self.config.init == "random" or len(vectors) < size:
            picks = torch.randint(len(vectors), (size,), device=vectors.device)
            seeds = vectors[picks]
        else:
            seeds = _kmeans_plus_plus(vectors, size)
        self.codebooks[k] = seeds
        self.ema_sum[k] = seeds
        self.ema_count[k] = 1.0

    @torch.no_grad()
    def _ema_update(self, k: int, vectors: torch.Tensor, codes: torch.Tensor) -> None:
        """Move codebook ``k`` toward the mean of its assigned ``vectors [M, D]``; re-seed dead codes."""
        size = self.config.codebook_size
        decay = self.config.decay
        counts = torch.bincount(codes, minlength=size).float()  # [N]
        sums = torch.zeros_like(self.ema_sum[k]).index_add_(0, codes, vectors)  # [N, D]
        self.ema_count[k].mul_(decay).add_(counts, alpha=1 - decay)
        self.ema_sum[k].mul_(decay).add_(sums, alpha=1 - decay)
        total = self.ema_count[k].sum()
        smoothed = (self.ema_count[k] + 1e-5) / (total + size * 1e-5) * total  # Laplace smoothing
        self.codebooks[k] = self.ema_sum[k] / smoothed[:, None]
        self.unused_steps[k] = torch.where(counts > 0, 0, self.unused_steps[k] + 1)
        dead = self.unused_steps[k] >= self.config.dead_code_steps
        if dead.any():
            picks = torch.randint(len(vectors), (int(dead.sum()),), device=vectors.device)
            self.codebooks[k][dead] = vectors[picks]
            self.ema_sum[k][dead] = vectors[picks]
            self.ema_count[k][dead] = 1.0
            self.unused_steps[k][dead] = 0


def _kmeans_plus_plus(vectors: torch.Tensor, count: int) -> torch.Tensor:
    """``count`` rows of ``vectors [M, D]`` chosen by k-means++ seeding (each next seed drawn with
    probability proportional to its squared distance to the closest seed so far)."""
    first = torch.randint(len(vectors), (1,), device=vectors.device)
    seeds = [vectors[first[0]]]
    closest = (vectors - seeds[0]).pow(2).sum(1)  # [M]
    for _ in range(count - 1):
        weights = closest if closest.sum() > 0 else torch.ones_like(closest)
        pick = torch.multinomial(weights, 1)[0]
        seeds.append(vectors[pick])
        closest = torch.minimum(closest, (vectors - vectors[pick]).pow(2).sum(1))
    return torch.stack(seeds)
