"""What each stream reads of the other at its own step: a causal context of the other stream's codes.

Attention lets a motion step look anywhere in the music, but a small model trained by teacher forcing does
not learn to find the music of its own time in it: its dances keep a tempo and lose the phase of the beat
(docs/quality.md, "Where the phase is lost"). A stream context hands the phase over directly. Residual
dilated 1-D convolutions read one stream's summed code embeddings ``[B, S, D]``, causally, over the last
``receptive_field`` pattern steps (127 for 6 layers: 2.5 s at 50 Hz, several beat periods), and their output
at step ``s`` is added to the *other* stream's input of step ``s``: the music context to the motion input
(``LMConfig.music_context_layers``), the motion context to the music input (``motion_context_layers``, for
dance → music). Causal, so that it is valid under every layout and task, joint generation included (both
streams' codes of step ``s`` are known when step ``s`` is fed).

Where the other stream is *given* whole (visibility ``FULL``: ``music2motion`` and ``motion2music`` under
the ``given_full`` layout), a second module of the same shape can read ahead (``LMConfig.context_lookahead``):
the causal computation over the time-reversed stream, so that its output at step ``s`` reads steps ``>= s``;
it is added to the causal context. A dancer slows down for the beat to come, which the causal context cannot
see.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


class StreamContext(nn.Module):
    """Causal dilated convolutions (kernel 3, dilations ``1, 2, ..., 2^(L-1)``, GELU, residual) and a final
    LayerNorm over one stream's code embeddings.

    Args:
        dim: model width ``D``.
        num_layers: ``L`` convolutions.
        lookahead: read the other way: output ``s`` reads inputs ``>= s`` (the same computation over the
            time-reversed sequence).
    """

    def __init__(self, dim: int, num_layers: int, lookahead: bool = False) -> None:
        super().__init__()
        self.convs = nn.ModuleList(nn.Conv1d(dim, dim, 3, dilation=2**i) for i in range(num_layers))
        self.norm = nn.LayerNorm(dim)
        self.lookahead = lookahead

    @property
    def receptive_field(self) -> int:
        """Pattern steps an output reads: its own and the ``receptive_field - 1`` before it."""
        return 1 + sum(2 * conv.dilation[0] for conv in self.convs)

    def forward(self, codes: torch.Tensor) -> torch.Tensor:
        """Context ``[B, S, D]`` of code embeddings ``[B, S, D]``: output ``s`` reads inputs ``<= s`` (with
        ``lookahead``, inputs ``>= s``)."""
        hidden = codes.transpose(1, 2)
        if self.lookahead:
            hidden = hidden.flip(-1)
        for conv in self.convs:
            hidden = hidden + F.gelu(conv(F.pad(hidden, (2 * conv.dilation[0], 0))))
        if self.lookahead:
            hidden = hidden.flip(-1)
        return self.norm(hidden.transpose(1, 2))


class StreamContextSteps:
    """A :class:`StreamContext` run one pattern step at a time, for generation while its stream is still being
    sampled (joint generation): each call costs one step of every convolution, not a window of them.

    Each layer's inputs so far are kept, left-padded with the zeros the convolutions pad with, so
    :meth:`__call__` gives exactly the outputs of :meth:`StreamContext.forward` over the whole sequence.

    Args:
        context: the module (the layers' inputs are held in its weights' dtype, on their device).
        rows: ``B`` sequences.
        capacity: pattern steps to hold.
    """

    def __init__(self, context: StreamContext, rows: int, capacity: int) -> None:
        if context.lookahead:
            raise ValueError("a lookahead context reads steps not sampled yet; it cannot run step by step")
        self._context = context
        self._pad = max((2 * conv.dilation[0] for conv in context.convs), default=0)
        weight = context.norm.weight
        self._inputs = [
            weight.new_zeros(rows, self._pad + capacity, weight.shape[0]) for _ in range(len(context.convs))
        ]
        self._step = 0

    def __call__(self, codes: torch.Tensor) -> torch.Tensor:
        """The context ``[B, D]`` of the next step from its code embeddings ``[B, D]``."""
        at = self._pad + self._step
        hidden = codes
        for conv, inputs in zip(self._context.convs, self._inputs, strict=True):
            inputs[:, at] = hidden
            dilation = conv.dilation[0]
            taps = inputs[:, [at - 2 * dilation, at - dilation, at]]  # [B, 3, D], oldest first
            mixed = torch.einsum("btd,edt->be", taps, conv.weight) + conv.bias
            hidden = hidden + F.gelu(mixed)
        self._step += 1
        return self._context.norm(hidden)
