"""Hyper-parameters of the joint music–motion LM."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from mumo.lm.tasks import Layout


@dataclass(frozen=True)
class LMConfig:
    """Shape and attention layout of a :class:`~mumo.lm.model.MusicMotionLM`.

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
        text_encoder: ``"bytes"`` or ``"words"`` (a small encoder over bytes or hashed words, trained with
            the LM: :class:`~mumo.lm.text.LearnedTextEncoder`) or ``"t5"`` (a frozen T5 encoder read from
            ``t5_directory``).
        t5_directory: local directory of the T5 encoder and its tokenizer: a T5 directory, or a whole
            MusicGen directory (its own T5). ``None`` with ``"t5"`` only for an LM imported from an in-memory
            MusicGen, which cannot be rebuilt from its config alone.
        layout: the attention layout the model is trained and sampled with (:class:`~mumo.lm.tasks.Layout`;
            a name such as ``"given_full"`` is accepted and stored as the enum value). Not a shape: the
            weights are the same under every layout, but sampling must use the one training used.
        music_context_layers: layers of the causal music context added to the motion input of every step
            (:class:`~mumo.lm.stream_context.StreamContext`; the motion stream then reads the music of its own
            time directly, which its dances need to keep the beat's phase). 0: none, the published
            architecture.
        motion_context_layers: the mirror image: layers of the causal motion context added to the music
            input of every step (music made for a dance reads the dance of its own time). 0: none.
        context_lookahead: each stream context also reads ahead where the other stream sees it whole (``FULL``
            visibility: ``music2motion`` and ``motion2music`` under the ``given_full`` layout): a second
            module of the same depth over the steps after the current one, added to the causal context.
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
    layout: Layout = Layout.CAUSAL
    music_context_layers: int = 0
    motion_context_layers: int = 0
    context_lookahead: bool = False

    def __post_init__(self) -> None:
        if self.dim % self.num_heads:
            raise ValueError(f"dim {self.dim} is not divisible by num_heads {self.num_heads}")
        if self.text_encoder not in ("bytes", "words", "t5"):
            raise ValueError(f"text_encoder must be 'bytes', 'words' or 't5', got {self.text_encoder!r}")
        for name in ("music_context_layers", "motion_context_layers"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        layouts = [layout.value for layout in Layout]
        if self.layout not in layouts:
            raise ValueError(f"layout must be one of {layouts}, got {self.layout!r}")
        object.__setattr__(self, "layout", Layout(self.layout))  # a name read from JSON becomes the enum

    @property
    def special_token(self) -> int:
        """Id of the special token that fills undefined delay-pattern positions."""
        return self.cardinality

    def to_dict(self) -> dict:
        """The fields as plain JSON data (``config.json``; the layout by its name)."""
        return {**asdict(self), "layout": self.layout.value}


DEBUG_CONFIG = LMConfig(
    num_codebooks=4, cardinality=32, dim=32, num_heads=4, num_layers=2, ffn_dim=64, condition_dim=32
)
"""A tiny shape for tests: full code paths on a CPU in milliseconds."""

MUSICGEN_SMALL_CONFIG = LMConfig()
"""The shape of MusicGen-small (24 layers, width 1024, 16 heads, 4 x 2048 codes)."""
