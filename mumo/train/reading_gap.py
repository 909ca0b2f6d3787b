"""The music gap and the dance gap: does the model read the stream it is given at all?

Teacher forced on the same generated-stream codes, a task's cross-entropy is computed twice: with each clip's
own given stream and with another clip's (the set rolled by one). A model that uses what it is given predicts
better from the right one, so

    music_gap = CE(motion | another clip's music) - CE(motion | own music)   (music2motion)
    dance_gap = CE(music | another clip's dance) - CE(music | own dance)     (motion2music)

in nats per code, are positive; a model that ignores the given stream has a gap of 0 (up to noise). Each costs
two forward passes over a handful of clips, so it is a cheap per-evaluation signal long before sampled dances
(or music) show it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch.nn import functional as F

from mumo.lm import MusicMotionLM, Task

READING_TASKS = (Task.MUSIC2MOTION, Task.MOTION2MUSIC)
"""The tasks that generate one stream from the other, given whole."""


@dataclass(frozen=True)
class ReadingGap:
    """Teacher-forced cross-entropy of the generated stream with the own and with another clip's given stream.

    Attributes:
        task: ``music2motion`` (the music gap) or ``motion2music`` (the dance gap).
        own: mean cross-entropy of the generated stream's codes with each clip's own given stream, nats per
            code.
        shuffled: the same with another clip's given stream.
        accuracy: ``[K]`` top-1 accuracy per generated-stream codebook with the own given stream (0..1).
    """

    task: Task
    own: float
    shuffled: float
    accuracy: tuple[float, ...]

    @property
    def gap(self) -> float:
        """``shuffled - own``, nats per code (positive when the given stream helps)."""
        return self.shuffled - self.own

    def as_metrics(self) -> dict[str, float]:
        """Metric names and values for ``metrics.jsonl``: ``music_gap``, ``motion_ce_own_music`` and
        ``motion_accuracy_cb{k}`` (music2motion), or ``dance_gap``, ``music_ce_own_dance`` and
        ``music_accuracy_cb{k}`` (motion2music)."""
        made, given = ("motion", "music") if self.task is Task.MUSIC2MOTION else ("music", "dance")
        metrics = {f"{given}_gap": self.gap, f"{made}_ce_own_{given}": self.own}
        metrics.update({f"{made}_accuracy_cb{k}": value for k, value in enumerate(self.accuracy)})
        return metrics


@torch.no_grad()
def reading_gap(
    model: MusicMotionLM,
    task: Task,
    music_codes: torch.Tensor,
    motion_codes: torch.Tensor,
    descriptions: Sequence[str],
    batch_size: int = 8,
) -> ReadingGap:
    """The music gap (``task`` ``music2motion``) or the dance gap (``motion2music``) of ``model`` on aligned
    clips, teacher forced with the attention layout the model trained with (``model.config.layout``).

    Args:
        music_codes, motion_codes: ``[N, K, T]`` codes of the same N clips (N >= 2), frame-aligned.
        descriptions: ``N`` descriptions of the generated stream (the given stream's description is null, as
            in generation from a given stream).
        batch_size: clips per forward pass.
    """
    if task not in READING_TASKS:
        raise ValueError(
            f"a reading gap is measured for {[t.value for t in READING_TASKS]}, not {task.value}"
        )
    if len(music_codes) < 2:
        raise ValueError("the gap needs at least 2 clips (one's given stream is another's shuffled one)")
    to_dance = task is Task.MUSIC2MOTION
    given, made = (music_codes, motion_codes) if to_dance else (motion_codes, music_codes)
    shuffled_given = torch.roll(given, shifts=1, dims=0)
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    totals = {"own": 0.0, "shuffled": 0.0}
    correct = torch.zeros(made.shape[1], dtype=torch.float64)
    try:
        for start in range(0, len(made), batch_size):
            stop = start + batch_size
            target = made[start:stop].to(device)
            texts, null = list(descriptions[start:stop]), [""] * len(target)
            conditions = model.encode_descriptions(*((null, texts) if to_dance else (texts, null)))
            for name, stream in (("own", given), ("shuffled", shuffled_given)):
                other = stream[start:stop].to(device)
                out = model(task, conditions, *((other, target) if to_dance else (target, other)))
                logits = out.motion if to_dance else out.music  # [b, K, T, card]
                assert logits is not None  # the task generates this stream
                cross_entropy = F.cross_entropy(
                    logits.flatten(0, 2).float(), target.flatten(), reduction="sum"
                )
                totals[name] += float(cross_entropy)
                if name == "own":
                    correct += (logits.argmax(-1) == target).double().sum(dim=(0, 2)).cpu()
    finally:
        model.train(was_training)
    per_codebook = made.shape[0] * made.shape[2]
    return ReadingGap(
        task=task,
        own=totals["own"] / made.numel(),
        shuffled=totals["shuffled"] / made.numel(),
        accuracy=tuple(float(c) / per_codebook for c in correct),
    )
