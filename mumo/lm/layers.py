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
    """Keys and values of every layer for the positions fed so far (self-attention), plus the projected
    description states (cross-attention, computed once)."""

    def __init__(self, num_layers: int) -> None:
        self.self_kv: list[tuple[torch.Tensor, torch.Tensor] | None] = [None] * num_layers
        self.cross_kv: list[tuple[torch.Tensor, torch.Tensor] | None] = [None] * num_layers

    def append(
        self, layer: int, keys: torch.Tensor, values: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Add ``[B, H, Q, hd]`` keys/values of new positions; return all cached ones."""
        cached = self.self_kv[layer]
        if cached is not None:
            keys = torch.cat([cached[0], keys], dim=2)
            values = torch.cat([cached[1], values], dim=2)
        self.self_kv[layer] = (keys, values)
        return keys, values


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
    ) -> torch.Tensor:
        """``x`` ``[B, Qm + Qd, dim]``: the first ``num_music`` positions are music, the rest motion.

        Args:
            self_mask: bool ``[Q, N]`` over the ``N`` keys (the cached ones first, then ``x``'s own).
            cross_kv: projected description keys/values of this layer.
            cross_mask: bool ``[B, 1, Q, L]``.
            cache: when given, ``x``'s keys/values are appended to layer ``index`` of it.
        """
        h = self.self_attn_norm(x)
        keys, values = self.self_attn.project_source(h)
        if cache is not None:
            keys, values = cache.append(index, keys, values)
        x = x + self.dropout(self.self_attn(h, keys, values, self_mask))
        x = x + self.dropout(self.cross_attn(self.cross_attn_norm(x), *cross_kv, cross_mask))
        music, motion = x[:, :num_music], x[:, num_music:]
        music = music + self.dropout(self.music_ffn(self.music_ffn_norm(music)))
        motion = motion + self.dropout(self.motion_ffn(self.motion_ffn_norm(motion)))
        return torch.cat([music, motion], dim=1)
