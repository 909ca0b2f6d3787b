"""Hyper-parameters of the joint music–motion LM."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class LMConfig:
    """Shape of a :class:`~mumo.lm.model.MusicMotionLM`.

    Attributes:
        num_codebooks: K, parallel code streams per modality.
        cardinality: codes per codebook; token id ``cardinality`` is the special (pad/BOS) token.
        dim: model width.
        num_heads: attention heads.
        num_layers: transformer layers.
        ffn_dim: hidden width of the feed-forward blocks.
        condition_dim: width of the description states the cross-attention reads (after projection).
        dropout: dropout on attention outputs and feed-forward blocks during training.
        max_period: base of the sinusoidal positions (10 000 in MusicGen).
        text_encoder: ``"bytes"`` (a small byte-level encoder trained with the LM) or ``"t5"`` (a frozen T5
            encoder read from ``t5_directory``).
        t5_directory: local directory of the T5 encoder and its tokenizer: a T5 directory, or a whole
            MusicGen directory (its own T5). ``None`` with ``"t5"`` only for an LM imported from an in-memory
            MusicGen, which cannot be rebuilt from its config alone.
    """

    num_codebooks: int = 4
    cardinality: int = 2048
    dim: int = 1024
    num_heads: int = 16
    num_layers: int = 24
    ffn_dim: int = 4096
    condition_dim: int = 1024
    dropout: float = 0.0
    max_period: float = 10_000.0
    text_encoder: str = "bytes"
    t5_directory: str | None = None

    def __post_init__(self) -> None:
        if self.dim % self.num_heads:
            raise ValueError(f"dim {self.dim} is not divisible by num_heads {self.num_heads}")
        if self.text_encoder not in ("bytes", "t5"):
            raise ValueError(f"text_encoder must be 'bytes' or 't5', got {self.text_encoder!r}")

    @property
    def special_token(self) -> int:
        """Id of the special token that fills undefined delay-pattern positions."""
        return self.cardinality

    def to_dict(self) -> dict:
        return asdict(self)


DEBUG_CONFIG = LMConfig(
    num_codebooks=4, cardinality=32, dim=32, num_heads=4, num_layers=2, ffn_dim=64, condition_dim=32
)
"""A tiny shape for tests: full code paths on a CPU in milliseconds."""

MUSICGEN_SMALL_CONFIG = LMConfig()
"""The shape of MusicGen-small (24 layers, width 1024, 16 heads, 4 x 2048 codes)."""
