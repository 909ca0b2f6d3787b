"""Self-attention masks over the concatenated ``[music steps | motion steps]`` sequence, and the text
cross-attention mask.

Masks are boolean, ``True`` = may attend; rows are queries, columns keys. ``m`` = music step, ``d`` = motion
(dance) step; diagrams for 4 steps per stream.

``joint`` — step s of either stream sees steps <= s of both streams::

            m0 m1 m2 m3 | d0 d1 d2 d3
       m0    1  .  .  . |  1  .  .  .
       m1    1  1  .  . |  1  1  .  .
       m2    1  1  1  . |  1  1  1  .
       m3    1  1  1  1 |  1  1  1  1
       d0    1  .  .  . |  1  .  .  .
       d1    1  1  .  . |  1  1  .  .
       d2    1  1  1  . |  1  1  1  .
       d3    1  1  1  1 |  1  1  1  1

``music2motion`` — music is causal over itself and never sees motion; motion is causal over itself and sees
music causally (``full_context=False``, as above) or the whole music clip (``full_context=True``)::

            m0 m1 m2 m3 | d0 d1 d2 d3
       m*    causal     |  .  .  .  .
       d0    1  1  1  1 |  1  .  .  .
       d1    1  1  1  1 |  1  1  .  .
       d2    1  1  1  1 |  1  1  1  .
       d3    1  1  1  1 |  1  1  1  1

``motion2music`` — the mirror image (music rows see motion). ``music`` / ``motion`` — a single causal stream.

Cross-attention: music queries see only the valid tokens of the music description, motion queries only those
of the motion description; nothing in it is causal. A null description (all-zero mask, see
:func:`mumo.lm.text.null_condition`) is read the way MusicGen reads it: its queries attend uniformly to all of
that description's (zero) states, so the cross-attention adds exactly zero and no row is fully masked.
"""

from __future__ import annotations

import torch


def causal(length: int, device: torch.device | None = None) -> torch.Tensor:
    """``[L, L]`` lower-triangular (diagonal included)."""
    return torch.ones(length, length, dtype=torch.bool, device=device).tril()


def two_stream_mask(
    music_len: int,
    motion_len: int,
    music_sees_motion: str,
    motion_sees_music: str,
    device: torch.device | None = None,
) -> torch.Tensor:
    """``[Sm + Sd, Sm + Sd]`` mask; each stream is causal over itself and sees the other ``"none"``,
    ``"causal"`` (steps <= its own) or ``"full"``."""
    blocks = {
        "none": lambda rows, cols: torch.zeros(rows, cols, dtype=torch.bool, device=device),
        "causal": lambda rows, cols: torch.ones(rows, cols, dtype=torch.bool, device=device).tril(),
        "full": lambda rows, cols: torch.ones(rows, cols, dtype=torch.bool, device=device),
    }
    top = torch.cat([causal(music_len, device), blocks[music_sees_motion](music_len, motion_len)], dim=1)
    bottom = torch.cat([blocks[motion_sees_music](motion_len, music_len), causal(motion_len, device)], dim=1)
    return torch.cat([top, bottom], dim=0)


def cross_attention_mask(
    music_len: int, motion_len: int, music_text_mask: torch.Tensor, motion_text_mask: torch.Tensor
) -> torch.Tensor:
    """``[B, 1, Sm + Sd, Lm + Ld]``: music queries see the valid music-description tokens, motion queries the
    valid motion-description tokens. Text masks are ``[B, Lm]`` and ``[B, Ld]`` (1 = valid token); a
    description without valid tokens is seen whole (its states are zero: the null condition)."""
    music_text = _null_seen_whole(music_text_mask.bool())
    motion_text = _null_seen_whole(motion_text_mask.bool())
    batch = music_text.shape[0]
    music_rows = torch.cat([music_text, torch.zeros_like(motion_text)], dim=1)
    motion_rows = torch.cat([torch.zeros_like(music_text), motion_text], dim=1)
    rows = torch.cat(
        [
            music_rows[:, None].expand(batch, music_len, -1),
            motion_rows[:, None].expand(batch, motion_len, -1),
        ],
        dim=1,
    )
    return rows[:, None]


def _null_seen_whole(text_mask: torch.Tensor) -> torch.Tensor:
    """``[B, L]``: rows without a valid token become all-True (uniform attention over zero states)."""
    return text_mask | ~text_mask.any(dim=-1, keepdim=True)
