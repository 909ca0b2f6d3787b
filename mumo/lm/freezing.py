"""Freezing policies by name, and the optimiser parameter groups they leave.

* ``none`` — everything trains.
* ``motion_only`` — motion codebook embeddings, motion feed-forward blocks and their norms, motion heads
  and the music context the motion stream reads (``music_context`` and ``music_lookahead``, where the model
  has them) train; everything else (music parts, shared attention and norms, text encoder) is frozen.
* ``music_only`` — the mirror image (with the motion context the music stream reads, ``motion_context`` and
  ``motion_lookahead``).
* ``all_but_text_encoder`` — everything trains except the description encoder (``text_encoder.*``: the T5
  projection, or the byte-level encoder); the published stage-2 recipe (the T5 itself is always frozen).

Frozen parameters get ``requires_grad = False`` and are left out of the optimiser, so they get no gradient
and no optimiser state.
"""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn

POLICIES = ("none", "motion_only", "music_only", "all_but_text_encoder")
_PREFIXES = {
    "motion_only": (
        "motion_embeddings.",
        "motion_heads.",
        "motion_ffn.",
        "motion_ffn_norm.",
        "music_context.",
        "music_lookahead.",
    ),
    "music_only": (
        "music_embeddings.",
        "music_heads.",
        "music_ffn.",
        "music_ffn_norm.",
        "motion_context.",
        "motion_lookahead.",
    ),
}


def is_trainable(name: str, policy: str) -> bool:
    """Whether parameter ``name`` trains under ``policy``."""
    if policy not in POLICIES:
        raise ValueError(f"unknown freezing policy {policy!r}; choose one of {POLICIES}")
    if policy == "none":
        return True
    if policy == "all_but_text_encoder":
        return not name.startswith("text_encoder.")
    parts = name.split(".")
    suffixes = {".".join(parts[i:]) + "." for i in range(len(parts))}
    return any(s.startswith(_PREFIXES[policy]) for s in suffixes)


@dataclass(frozen=True)
class FreezeSummary:
    """Parameter counts after applying a policy."""

    policy: str
    trainable: int
    frozen: int
    trainable_tensors: int

    def __str__(self) -> str:
        total = self.trainable + self.frozen
        return (
            f"freezing '{self.policy}': {self.trainable:,} trainable / {self.frozen:,} frozen parameters "
            f"({100 * self.trainable / max(total, 1):.1f} % trainable, {self.trainable_tensors} tensors)"
        )


def apply_freezing(model: nn.Module, policy: str) -> FreezeSummary:
    """Set ``requires_grad`` of every parameter of ``model`` by ``policy`` and count the result."""
    trainable = frozen = tensors = 0
    for name, parameter in model.named_parameters():
        train = is_trainable(name, policy)
        parameter.requires_grad_(train)
        if train:
            trainable += parameter.numel()
            tensors += 1
        else:
            frozen += parameter.numel()
    return FreezeSummary(policy, trainable, frozen, tensors)


def parameter_groups(model: nn.Module, weight_decay: float) -> list[dict]:
    """Optimiser groups of the trainable parameters: matrices with ``weight_decay``, vectors (norms,
    biases) and embeddings without."""
    decay, no_decay = [], []
    for name, parameter in model.named_parameters():
        if not parameter.requires_grad:
            continue
        (decay if parameter.dim() >= 2 and "embedding" not in name else no_decay).append(parameter)
    return [
        {"params": decay, "weight_decay": weight_decay, "name": "decay"},
        {"params": no_decay, "weight_decay": 0.0, "name": "no_decay"},
    ]
