"""Shapes, twins and workloads of the LM benchmarks (``generate.py``, ``train_step.py``, ``gpu_check.py``).

Everything runs on random weights: speed does not depend on them. Imports stay to torch, transformers and
``mumo.lm`` so the GPU check runs on a bare machine with a copy of the repository.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from timing import median_seconds
from torch.nn import functional as F

from mumo.lm.config import DEBUG_CONFIG, MUSICGEN_SMALL_CONFIG, LMConfig
from mumo.lm.generate import generate
from mumo.lm.model import MusicMotionLM
from mumo.lm.tasks import Task

SMALL = LMConfig(
    num_codebooks=4, cardinality=2048, dim=256, num_heads=4, num_layers=4, ffn_dim=1024, condition_dim=256
)
"""A small width for CPU runs."""
MUSICGEN_SMALL = MUSICGEN_SMALL_CONFIG
"""MusicGen-small's decoder: 24 layers, width 1024, 16 heads, 4 x 2048 codes (text states 1024 wide)."""
TINY = DEBUG_CONFIG
"""The test shape: every code path in milliseconds."""
GUIDANCE = 3.0
"""Classifier-free guidance scale of every generation benchmark."""


def transformers_twin(config: LMConfig, device: str) -> tuple[MusicMotionLM, torch.nn.Module]:
    """mumo's LM and transformers' ``MusicgenForCausalLM`` with the same random music weights (mumo's imported
    from the other), both in eval mode on ``device``."""
    from transformers import MusicgenDecoderConfig, MusicgenForCausalLM

    special = config.cardinality
    reference_config = MusicgenDecoderConfig(
        vocab_size=special, max_position_embeddings=4096, num_hidden_layers=config.num_layers,
        ffn_dim=config.ffn_dim, num_attention_heads=config.num_heads, hidden_size=config.dim,
        num_codebooks=config.num_codebooks, pad_token_id=special, bos_token_id=special, dropout=0.0,
    )  # fmt: skip
    reference = MusicgenForCausalLM(reference_config).to(device).eval()
    reference.generation_config.decoder_start_token_id = special
    reference.generation_config.pad_token_id = special
    ours = MusicMotionLM.from_musicgen(reference).to(device).eval()
    return ours, reference


@dataclass(frozen=True)
class Comparison:
    """Wall time of mumo and of the other implementation (seconds) and how many codes agree (fractions,
    1.0 = identical): with the other's timed (cached) generation, and with its uncached generation over the
    first ``check_frames`` frames."""

    mumo_s: float
    other_s: float
    matching: float
    matching_uncached: float
    check_frames: int

    @property
    def ratio(self) -> float:
        """Other time / mumo time (> 1: mumo is faster)."""
        return self.other_s / self.mumo_s


def music_vs_transformers(
    ours: MusicMotionLM,
    reference: torch.nn.Module,
    frames: int,
    device: str,
    repeats: int = 1,
    check_frames: int = 50,
) -> Comparison:
    """Music-only greedy generation of ``frames`` frames with guidance: mumo's ``generate`` against
    transformers' ``generate`` fed mumo's own description states, one warm-up each, then the median of
    ``repeats`` timed runs. The codes are also compared with transformers' uncached generation of
    ``check_frames`` frames: transformers 5.24's cached MusicGen generation disagrees with its own forward
    pass (teacher-forced argmax), its uncached one does not.

    Both halves of the guided batch use the null description: transformers' ``generate`` rejects an encoder
    attention mask (transformers 5.24), so descriptions of different lengths cannot be given to it, and with
    equal-length states no mask is needed. The work per step is the same as with a description.
    """
    k = ours.config.num_codebooks
    with torch.no_grad():
        conditions = ours.encode_descriptions(["", ""], ["", ""])  # [conditional; null], as generate does
    input_ids = torch.full((k, 1), ours.config.cardinality, device=device)
    outputs: dict[str, torch.Tensor] = {}

    def run_transformers(length: int = frames, use_cache: bool = True) -> None:
        with torch.no_grad():
            outputs["other"] = reference.generate(
                input_ids=input_ids, encoder_hidden_states=conditions.music_states, use_cache=use_cache,
                max_new_tokens=length + k - 1, do_sample=False, guidance_scale=GUIDANCE,
                num_return_sequences=1,
            ).reshape(1, k, length)  # fmt: skip

    def run_ours() -> None:
        result = generate(ours, Task.MUSIC, num_frames=frames, guidance_scale=GUIDANCE, temperature=0.0)
        outputs["mumo"] = result.music_codes  # type: ignore[assignment]

    mumo_s = median_seconds(run_ours, repeats, device, warm_up=True)
    other_s = median_seconds(run_transformers, repeats, device, warm_up=True)
    matching = (outputs["mumo"] == outputs["other"]).float().mean().item()
    check_frames = min(check_frames, frames)
    run_transformers(check_frames, use_cache=False)
    uncached = (outputs["mumo"][..., :check_frames] == outputs["other"]).float().mean().item()
    return Comparison(mumo_s, other_s, matching, uncached, check_frames)


def random_walk_codes(batch: int, config: LMConfig, frames: int, device: str, seed: int = 0) -> torch.Tensor:
    """Codes ``[B, K, T]`` that move by 0–3 per frame (mod the cardinality): learnable, so a training loss
    falls within a few steps."""
    generator = torch.Generator().manual_seed(seed)
    start = torch.randint(0, config.cardinality, (batch, config.num_codebooks, 1), generator=generator)
    moves = torch.randint(0, 4, (batch, config.num_codebooks, frames - 1), generator=generator)
    return (torch.cat([start, moves], dim=-1).cumsum(-1) % config.cardinality).to(device)


def training_loss(
    model: MusicMotionLM, task: Task, music: torch.Tensor | None, motion: torch.Tensor | None
) -> torch.Tensor:
    """Mean cross-entropy of ``task``'s predicted codes (``[B, K, T]`` each), with null descriptions."""
    batch = (music if music is not None else motion).shape[0]  # type: ignore[union-attr]
    conditions = model.encode_descriptions([""] * batch, [""] * batch)
    logits = model(task, conditions, music, motion)
    terms = [
        F.cross_entropy(out.flatten(0, 2).float(), codes.flatten())
        for out, codes in ((logits.music, music), (logits.motion, motion))
        if out is not None and codes is not None
    ]
    return torch.stack(terms).mean()


def forward_flops(config: LMConfig, tokens: int, sequence: int, text: int = 0) -> float:
    """FLOPs (2 per multiply-accumulate) of one forward pass over ``tokens`` tokens in sequences of
    ``sequence`` steps: the layers' and heads' matrix products, self-attention scores and mixing over all
    ``sequence`` keys (a boolean mask skips no work), cross-attention to ``text`` states. A training step
    (forward + backward) costs about three times this."""
    d, layers = config.dim, config.num_layers
    per_token = layers * (4 * d * d + 2 * d * d + 2 * d * config.ffn_dim)  # self q/k/v/o, cross q/o, ffn
    per_token += config.num_codebooks * d * config.cardinality  # heads
    attention = layers * (2 * d * sequence + 2 * d * text)
    return 2.0 * tokens * (per_token + attention)


def matmul_peak_flops(device: str, dtype: torch.dtype, size: int) -> float:
    """Measured FLOP/s of a ``size`` x ``size`` x ``size`` matrix product in ``dtype`` (the machine's
    practical peak, against which a training step's FLOP/s is read)."""
    a = torch.randn(size, size, device=device, dtype=dtype)
    b = torch.randn(size, size, device=device, dtype=dtype)
    seconds = median_seconds(lambda: a @ b, repeats=5, device=device, warm_up=True)
    return 2.0 * size**3 / seconds
