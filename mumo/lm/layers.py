"""Building blocks of the joint LM: sinusoidal positions, attention with a key/value cache, the two-stream
transformer layer."""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from mumo.lm.config import LMConfig


def sinusoidal_positions(positions: torch.Tensor, dim: int, max_period: float) -> torch.Tensor:
    """MusicGen's positions: ``[cos(p w_i) | sin(p w_i)]`` with ``w_i = max_period^(-i / (dim/2 - 1))``.

    Args:
        positions: ``[S]`` integer positions.

    Returns:
        ``[S, dim]`` float32.
    """
    half = dim // 2
    frequencies = torch.exp(
        torch.arange(half, device=positions.device, dtype=torch.float32)
        * -(math.log(max_period) / (half - 1))
    )
    angles = positions.float()[:, None] * frequencies[None]
    return torch.cat([torch.cos(angles), torch.sin(angles)], dim=-1)


class KVCache:
    """Key/value cache of generation, preallocated and written in place.

    Self-attention keys and values of every layer live in ``[B, H, N, hd]`` buffers sized for the whole
    sequence (``N`` = ``capacity`` positions, in the order they are fed, called slots); each step writes its
    new positions into their slots, so a step costs the same at any length and never copies the prefix. The
    projected description states of the cross-attention are computed once (:meth:`MusicMotionLM.cross_kv`).
    Fixed addresses and shapes also let a compiled decoding step (CUDA graphs) run on it.
    """

    def __init__(
        self,
        num_layers: int,
        batch: int,
        num_heads: int,
        capacity: int,
        head_dim: int,
        dtype: torch.dtype = torch.float32,
        device: torch.device | str | None = None,
    ) -> None:
        shape = (batch, num_heads, capacity, head_dim)
        self.keys = [torch.zeros(shape, dtype=dtype, device=device) for _ in range(num_layers)]
        self.values = [torch.zeros(shape, dtype=dtype, device=device) for _ in range(num_layers)]
        self.cross_kv: list[tuple[torch.Tensor, torch.Tensor]] | None = None

    @property
    def capacity(self) -> int:
        """Slots per layer, ``N``."""
        return self.keys[0].shape[2]

    def write(
        self, layer: int, slots: torch.Tensor, keys: torch.Tensor, values: torch.Tensor, visible: int
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Store ``[B, H, Q, hd]`` keys/values of new positions in ``slots`` ``[Q]`` (long, on the cache's
        device) of ``layer``; return the first ``visible`` slots ``[B, H, visible, hd]`` (the rest are
        unwritten or later positions, and a query must mask out every slot it may not see)."""
        self.keys[layer].index_copy_(2, slots, keys.to(self.keys[layer].dtype))
        self.values[layer].index_copy_(2, slots, values.to(self.values[layer].dtype))
        return self.keys[layer][:, :, :visible], self.values[layer][:, :, :visible]

    def mark_static(self) -> None:
        """Tell ``torch.compile`` the buffers keep their address (CUDA graphs may then update them in
        place)."""
        for tensor in [*self.keys, *self.values, *(t for kv in self.cross_kv or [] for t in kv)]:
            torch._dynamo.mark_static_address(tensor)


class Attention(nn.Module):
    """Multi-head attention without biases (MusicGen), computed with ``scaled_dot_product_attention``."""

    def __init__(self, dim: int, num_heads: int, source_dim: int, dropout: float) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.q_proj = nn.Linear(dim, dim, bias=False)
        self.k_proj = nn.Linear(source_dim, dim, bias=False)
        self.v_proj = nn.Linear(source_dim, dim, bias=False)
        self.out_proj = nn.Linear(dim, dim, bias=False)
        self.dropout = dropout

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        batch, length, dim = x.shape
        return x.view(batch, length, self.num_heads, dim // self.num_heads).transpose(1, 2)  # (B, H, L, hd)

    def project_source(self, source: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Keys and values ``[B, H, L, hd]`` of ``source`` ``[B, L, source_dim]``."""
        return self._heads(self.k_proj(source)), self._heads(self.v_proj(source))

    def forward(
        self, x: torch.Tensor, keys: torch.Tensor, values: torch.Tensor, mask: torch.Tensor
    ) -> torch.Tensor:
        """``x`` ``[B, Q, dim]`` attends to ``keys``/``values`` ``[B, H, N, hd]`` where ``mask`` (bool,
        broadcastable to ``[B, H, Q, N]``) is True."""
        out = F.scaled_dot_product_attention(
            self._heads(self.q_proj(x)),
            keys,
            values,
            attn_mask=mask,
            dropout_p=self.dropout if self.training else 0.0,
        )
        batch, _, length, _ = out.shape
        return self.out_proj(out.transpose(1, 2).reshape(batch, length, -1))


class FeedForward(nn.Module):
    """``fc2(gelu(fc1(x)))`` without biases."""

    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden, bias=False)
        self.fc2 = nn.Linear(hidden, dim, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.gelu(self.fc1(x)))


class TwoStreamLayer(nn.Module):
    """Pre-norm layer: shared self-attention over both streams, shared cross-attention to the descriptions,
    then a music feed-forward block on music positions and a motion one on motion positions (each with its
    own norm)."""

    def __init__(self, config: LMConfig) -> None:
        super().__init__()
        self.self_attn_norm = nn.LayerNorm(config.dim)
        self.self_attn = Attention(config.dim, config.num_heads, config.dim, config.dropout)
        self.cross_attn_norm = nn.LayerNorm(config.dim)
        self.cross_attn = Attention(config.dim, config.num_heads, config.condition_dim, config.dropout)
        self.music_ffn_norm = nn.LayerNorm(config.dim)
        self.music_ffn = FeedForward(config.dim, config.ffn_dim)
        self.motion_ffn_norm = nn.LayerNorm(config.dim)
        self.motion_ffn = FeedForward(config.dim, config.ffn_dim)
        self.dropout = nn.Dropout(config.dropout)

    def forward(
        self,
        x: torch.Tensor,
        num_music: int,
        self_mask: torch.Tensor,
        cross_kv: tuple[torch.Tensor, torch.Tensor],
        cross_mask: torch.Tensor,
        cache: KVCache | None = None,
        index: int = 0,
        slots: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """``x`` ``[B, Qm + Qd, dim]``: the first ``num_music`` positions are music, the rest motion.

        Args:
            self_mask: bool ``[Q, N]``: over ``x``'s own keys without a cache, over the first ``N`` cache
                slots with one.
            cross_kv: projected description keys/values of this layer.
            cross_mask: bool ``[B, 1, Q, L]``.
            cache: when given, ``x``'s keys/values are written to ``slots`` ``[Q]`` of layer ``index`` of it
                and ``x`` attends to the cache's first ``N`` slots.
        """
        h = self.self_attn_norm(x)
        keys, values = self.self_attn.project_source(h)
        if cache is not None:
            if slots is None:
                raise ValueError("a cached pass needs the slots of its positions")
            keys, values = cache.write(index, slots, keys, values, self_mask.shape[-1])
        x = x + self.dropout(self.self_attn(h, keys, values, self_mask))
        x = x + self.dropout(self.cross_attn(self.cross_attn_norm(x), *cross_kv, cross_mask))
        music, motion = x[:, :num_music], x[:, num_music:]
        # Without gradients a stream with no positions skips its block (fewer kernels per decoding step); in
        # training it runs on no positions so that every parameter gets a gradient (as DDP needs).
        if music.shape[1] or torch.is_grad_enabled():
            music = music + self.dropout(self.music_ffn(self.music_ffn_norm(music)))
        if motion.shape[1] or torch.is_grad_enabled():
            motion = motion + self.dropout(self.motion_ffn(self.motion_ffn_norm(motion)))
        return torch.cat([music, motion], dim=1)
