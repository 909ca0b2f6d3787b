"""The music gap: does the model read the music at all?

Teacher forced on the same motion codes, the ``music2motion`` motion cross-entropy is computed twice: with
each clip's own music and with another clip's music (the set rolled by one). A model that uses the music
predicts its dance better from the right music, so

    music_gap = CE(motion | another clip's music) - CE(motion | own music)   [nats per code]

is positive; a model that ignores the music has a gap of 0 (up to noise). It costs two forward passes over a
handful of clips, so it is a cheap per-evaluation signal long before sampled dances show it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch.nn import functional as F

from mumo.lm import MusicMotionLM, Task


@dataclass(frozen=True)
class MusicGap:
    """Teacher-forced motion cross-entropy with own and with shuffled music.

    Attributes:
        own: mean motion cross-entropy with each clip's own music, nats per code.
        shuffled: the same with another clip's music.
        accuracy: ``[K]`` top-1 accuracy per motion codebook with the own music (0..1).
    """

    own: float
    shuffled: float
    accuracy: tuple[float, ...]

    @property
    def gap(self) -> float:
        """``shuffled - own``, nats per code (positive when the music helps)."""
        return self.shuffled - self.own

    def as_metrics(self) -> dict[str, float]:
        """Metric names and values for ``metrics.jsonl``."""
        metrics = {"music_gap": self.gap, "motion_ce_own_music": self.own}
        metrics.update({f"motion_accuracy_cb{k}": value for k, value in enumerate(self.accuracy)})
        return metrics


@torch.no_grad()
def music_gap(
    model: MusicMotionLM,
    music_codes: torch.Tensor,
    motion_codes: torch.Tensor,
    motion_descriptions: Sequence[str],
    batch_size: int = 8,
) -> MusicGap:
    """The music gap of ``model`` on aligned clips, teacher forced with the model's attention layout
    (``model.config.layout``, the one it was trained with).

    Args:
        music_codes, motion_codes: ``[N, K, T]`` codes of the same N clips (N >= 2), frame-aligned.
        motion_descriptions: ``N`` motion descriptions (the music description is null in ``music2motion``).
        batch_size: clips per forward pass.
    """
    if len(music_codes) < 2:
        raise ValueError("the music gap needs at least 2 clips (one's music is another's shuffled music)")
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    shuffled_music = torch.roll(music_codes, shifts=1, dims=0)
    totals = {"own": 0.0, "shuffled": 0.0}
    correct = torch.zeros(motion_codes.shape[1], dtype=torch.float64)
    try:
        for start in range(0, len(music_codes), batch_size):
            stop = start + batch_size
            motion = motion_codes[start:stop].to(device)
            conditions = model.encode_descriptions([""] * len(motion), list(motion_descriptions[start:stop]))
            for name, music in (("own", music_codes), ("shuffled", shuffled_music)):
                logits = model(
                    Task.MUSIC2MOTION, conditions, music[start:stop].to(device), motion
                ).motion  # [b, K, T, card]
                cross_entropy = F.cross_entropy(
                    logits.flatten(0, 2).float(), motion.flatten(), reduction="sum"
                )
                totals[name] += float(cross_entropy)
                if name == "own":
                    correct += (logits.argmax(-1) == motion).double().sum(dim=(0, 2)).cpu()
    finally:
        model.train(was_training)
    codes = motion_codes.numel()
    per_codebook = motion_codes.shape[0] * motion_codes.shape[2]
    return MusicGap(
        own=totals["own"] / codes,
        shuffled=totals["shuffled"] / codes,
        accuracy=tuple(float(c) / per_codebook for c in correct),
    )
