"""The codebook delay pattern: codebook k is shifted right by k + 1 steps behind a leading special token.

Layout for codes ``[B, K, T]`` (``S = T + K`` steps, ``*`` = special token)::

    step        0    1    2    3    4   ...
    codebook 0  *   c0_0 c0_1 c0_2 c0_3
    codebook 1  *    *   c1_0 c1_1 c1_2
    codebook 2  *    *    *   c2_0 c2_1
    codebook 3  *    *    *    *   c3_0

Step ``s`` of codebook ``k`` holds the code of time ``s - 1 - k``. The LM reads steps ``0 .. S-2`` and its
output at step ``s`` predicts step ``s + 1``, so the logits of code ``t`` of codebook ``k`` sit at step
``t + k``. Every code is predicted exactly once; no output position is wasted on a special token target.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class DelayPattern:
    """Build and revert the delay pattern for ``num_codebooks`` codebooks."""

    num_codebooks: int
    special_token: int

    def input_length(self, num_frames: int) -> int:
        """Steps the LM reads to predict ``T`` frames: ``T + K - 1`` (the pattern has ``T + K`` steps)."""
        return num_frames + self.num_codebooks - 1

    def build(self, codes: torch.Tensor) -> torch.Tensor:
        """Codes ``[B, K, T]`` → pattern sequence ``[B, K, T + K]`` with special tokens where undefined."""
        batch, num_codebooks, num_frames = codes.shape
        out = codes.new_full((batch, num_codebooks, num_frames + num_codebooks), self.special_token)
        for k in range(num_codebooks):
            out[:, k, k + 1 : k + 1 + num_frames] = codes[:, k]
        return out

    def revert(self, sequence: torch.Tensor, num_frames: int) -> torch.Tensor:
        """Pattern sequence ``[B, K, S]`` → codes ``[B, K, T]`` (the inverse of :meth:`build`)."""
        return torch.stack(
            [sequence[:, k, k + 1 : k + 1 + num_frames] for k in range(self.num_codebooks)], dim=1
        )

    def logit_steps(self, codebook: int, num_frames: int) -> slice:
        """The LM output steps whose logits predict codes ``0 .. T-1`` of ``codebook``: ``t + k``."""
        return slice(codebook, codebook + num_frames)

    def revert_logits(self, logits: torch.Tensor, num_frames: int) -> torch.Tensor:
        """LM outputs ``[B, K, S-1, card]`` (step ``s`` predicts step ``s + 1``) → ``[B, K, T, card]``
        aligned with the codes."""
        return torch.stack(
            [logits[:, k, self.logit_steps(k, num_frames)] for k in range(self.num_codebooks)], dim=1
        )

    def valid_steps(self, num_frames: int, device: torch.device | None = None) -> torch.Tensor:
        """Bool ``[K, S]``: which pattern positions hold a real code (not the special token)."""
        steps = torch.arange(num_frames + self.num_codebooks, device=device)
        k = torch.arange(self.num_codebooks, device=device)[:, None]
        return (steps >= k + 1) & (steps < k + 1 + num_frames)
