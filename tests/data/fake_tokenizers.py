"""Tiny deterministic stand-ins for the music and motion tokenizers (no weights, 50 Hz codes).

Tests point :mod:`mumo.data.token_store.build` at these tokenizers (instead of
``mumo.tokenizers.load_tokenizer``) with ``monkeypatch``. In a spawned worker process, importing this module
(which unpickling :class:`FakeTokenizerEncoder` does; the test puts this file's directory on ``sys.path``)
applies the same redirection.
"""

from __future__ import annotations

import multiprocessing

import torch

from mumo.data.token_store import build
from mumo.data.token_store.build import TokenizerClipEncoder

CARDINALITY = 64


class FakeMusicTokenizer:
    frame_rate = 50.0
    num_codebooks = 2
    cardinality = CARDINALITY
    sample_rate = 32_000

    def encode(self, waveform: torch.Tensor) -> torch.Tensor:
        """``[B, 1, N]`` → ``[B, 2, N // 640]`` codes from the mean level of each 20 ms frame."""
        frames = waveform.shape[-1] // 640
        level = waveform[..., : frames * 640].reshape(waveform.shape[0], frames, 640).abs().mean(-1)
        first = (level * 1000).long() % CARDINALITY
        return torch.stack([first, (first + 1) % CARDINALITY], dim=1)


class FakeMotionTokenizer:
    frame_rate = 50.0
    num_codebooks = 2
    cardinality = CARDINALITY

    def encode(self, features: torch.Tensor) -> torch.Tensor:
        """``[B, T, 263]`` at 60 fps → ``[B, 2, T * 5 // 6]`` codes at 50 Hz."""
        steps = torch.arange(features.shape[1] * 5 // 6) * 6 // 5
        first = (features[:, steps, 3] * 10).long() % CARDINALITY
        return torch.stack([first, (first + 2) % CARDINALITY], dim=1)


def load_fake_tokenizers(music_dir: str, motion_dir: str) -> tuple[FakeMusicTokenizer, FakeMotionTokenizer]:
    return FakeMusicTokenizer(), FakeMotionTokenizer()


class FakeTokenizerEncoder(TokenizerClipEncoder):
    """The real clip encoder, run with the fake tokenizers."""


if multiprocessing.parent_process() is not None:
    build._load_tokenizers = load_fake_tokenizers
