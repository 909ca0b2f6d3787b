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
music causally (layout ``causal``, as above) or the whole music clip (layout ``given_full``, below)::

            m0 m1 m2 m3 | d0 d1 d2 d3
       m*    causal     |  .  .  .  .
       d0    1  1  1  1 |  1  .  .  .
       d1    1  1  1  1 |  1  1  .  .
       d2    1  1  1  1 |  1  1  1  .
       d3    1  1  1  1 |  1  1  1  1

``motion2music`` — the mirror image (music rows see motion). ``music`` / ``motion`` — a single causal stream.

Steps and frames: both streams are laid out in MusicGen's delay pattern (:mod:`mumo.lm.delay_pattern`), so
step ``s`` holds codebook ``k`` of frame ``s - 1 - k`` (step 0 is the special token; codebook 0 of frame
``t`` sits at step ``t + 1``, codebook 3 at step ``t + 4``). "Steps <= s" of the other stream therefore means
codebook ``k`` of its frames ``<= s - 1 - k``: a causal motion step sees the music's codebook 0 of the frame
it predicts, but that frame's last codebook only ``K - 1`` steps later. ``FULL`` visibility removes that lag
where the other stream is given, not generated.

The visibility of one stream by the other is a :class:`Visibility`, set per layout and task in the one table
of :mod:`mumo.lm.tasks` (``TASK_SPECS``); the model's layout is ``LMConfig.layout``. A new layout is a new
entry there and a :class:`~mumo.lm.tasks.Layout` value (or a new :class:`Visibility` value here), nothing
else.

Cross-attention: music queries see only the valid tokens of the music description, motion queries only those
of the motion description; nothing in it is causal. A null description (all-zero mask, see
:func:`mumo.lm.text.null_condition`) is read the way MusicGen reads it: its queries attend uniformly to all of
that description's (zero) states, so the cross-attention adds exactly zero and no row is fully masked.
"""

from __future__ import annotations

import enum

import torch


class Visibility(enum.StrEnum):
    """How much of the other stream a stream's steps see."""

    NONE = "none"
    """Nothing of it."""
    CAUSAL = "causal"
    """Its steps up to and including the query's own step."""
    FULL = "full"
    """All of it (only for a given stream, never one being generated)."""


def causal(length: int, device: torch.device | None = None) -> torch.Tensor:
    """``[L, L]`` lower-triangular (diagonal included)."""
    return torch.ones(length, length, dtype=torch.bool, device=device).tril()


def two_stream_mask(
    music_len: int,
    motion_len: int,
    music_sees_motion: Visibility,
    motion_sees_music: Visibility,
    device: torch.device | None = None,
) -> torch.Tensor:
    """``[Sm + Sd, Sm + Sd]`` mask; each stream is causal over itself and sees the other as its
    :class:`Visibility` says."""
    blocks = {
        Visibility.NONE: lambda rows, cols: torch.zeros(rows, cols, dtype=torch.bool, device=device),
        Visibility.CAUSAL: lambda rows, cols: torch.ones(rows, cols, dtype=torch.bool, device=device).tril(),
        Visibility.FULL: lambda rows, cols: torch.ones(rows, cols, dtype=torch.bool, device=device),
    }
    top = torch.cat(
        [causal(music_len, device), blocks[Visibility(music_sees_motion)](music_len, motion_len)], dim=1
    )
    bottom = torch.cat(
        [blocks[Visibility(motion_sees_music)](motion_len, music_len), causal(motion_len, device)], dim=1
    )
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
