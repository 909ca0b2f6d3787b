"""Encoding and decoding music of any length window by window, so memory does not grow with the song.

A codec's convolutions see a few frames around each code, so every window is run with ``margin_s`` of the
neighbouring audio (or codes) on both sides and only its own frames are kept: the result equals one pass
over the whole signal wherever the codec's receptive field is shorter than the margin. Between windows
Python handles signals, so Ctrl-C stops a long encoding promptly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import torch

from mumo.errors import InputError

WINDOW_S = 30.0
"""Audio encoded or decoded in one pass, seconds."""
MARGIN_S = 1.0
"""Neighbouring audio run with each window on both sides and then dropped, seconds."""
OnWindow = Callable[[int, int], None]
"""Called with (windows done, windows in all) after each window."""


def hop_length(tokenizer: object) -> int:
    """Audio samples per code frame of a music tokenizer (``sample_rate / frame_rate``, a whole number).

    Raises:
        InputError: the tokenizer's frame rate does not divide its sample rate.
    """
    rate, frame_rate = tokenizer.sample_rate, tokenizer.frame_rate  # type: ignore[attr-defined]
    hop = round(rate / frame_rate)
    if abs(hop * frame_rate - rate) > 1e-6 * rate:
        raise InputError(f"a music tokenizer at {rate} Hz and {frame_rate} frames/s has no whole hop length")
    return hop


def encode_in_windows(
    tokenizer: object,
    waveform: torch.Tensor,
    window_s: float = WINDOW_S,
    margin_s: float = MARGIN_S,
    on_window: OnWindow | None = None,
) -> torch.Tensor:
    """Codes ``[B, K, ceil(N / hop)]`` of ``waveform [B, C, N]`` (at the tokenizer's sample rate), encoded
    ``window_s`` at a time."""
    hop = hop_length(tokenizer)
    total = math.ceil(waveform.shape[-1] / hop)
    pieces = []
    for start, stop, low, high in _windows(total, tokenizer.frame_rate, window_s, margin_s, on_window):  # type: ignore[attr-defined]
        codes = tokenizer.encode(waveform[..., low * hop : high * hop])  # type: ignore[attr-defined]
        pieces.append(codes[..., start - low : stop - low])
    return torch.cat(pieces, dim=-1)


def decode_in_windows(
    tokenizer: object,
    codes: torch.Tensor,
    window_s: float = WINDOW_S,
    margin_s: float = MARGIN_S,
    on_window: OnWindow | None = None,
) -> torch.Tensor:
    """Waveforms ``[B, C, T * hop]`` from ``codes [B, K, T]``, decoded ``window_s`` at a time."""
    hop = hop_length(tokenizer)
    pieces = []
    for start, stop, low, high in _windows(
        codes.shape[-1], tokenizer.frame_rate, window_s, margin_s, on_window
    ):  # type: ignore[attr-defined]
        audio = tokenizer.decode(codes[..., low:high])  # type: ignore[attr-defined]
        pieces.append(audio[..., (start - low) * hop : (stop - low) * hop])
    return torch.cat(pieces, dim=-1)


def _windows(
    total: int, frame_rate: float, window_s: float, margin_s: float, on_window: OnWindow | None
) -> Iterator[tuple[int, int, int, int]]:
    """``(start, stop, low, high)`` code frames of each window: its own frames and those run with it."""
    window = max(1, round(window_s * frame_rate))
    margin = max(0, round(margin_s * frame_rate))
    starts = range(0, total, window)
    for index, start in enumerate(starts):
        stop = min(start + window, total)
        yield start, stop, max(0, start - margin), min(total, stop + margin)
        if on_window is not None:
            on_window(index + 1, len(starts))
