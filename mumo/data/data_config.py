"""The ``data`` section of a training config: where the codes come from and how they are batched (a plain
schema, importable without Lightning)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass
class TokenDataConfig:
    """Where the codes come from and how they are batched.

    Attributes:
        store: token store directory (``mumo tokenize dataset --out``).
        window_s: window length in seconds (converted to code frames at the store's frame rate).
        batch_size: windows per batch (per process under DDP).
        num_workers: DataLoader worker processes (0 reads in the main process).
        seed: seed of the crop starts and the shuffling.
        short_clips: ``skip`` clips shorter than the window, or ``pad`` them at the end.
        pad_id: code written into padded frames; ``None`` uses each stream's codebook size.
        drop_last: drop the last incomplete training batch.
    """

    store: str = ""
    window_s: float = 10.0
    batch_size: int = 8
    num_workers: int = 0
    seed: int = 0
    short_clips: Literal["skip", "pad"] = "skip"
    pad_id: int | None = None
    drop_last: bool = False
