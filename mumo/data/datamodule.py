"""Training batches from a token store: random windows of paired music and motion codes.

Each item is a window of ``window_s`` seconds (``round(window_s * frame_rate)`` code frames, 500 at 10 s and
50 Hz) cut at the **same start frame** from a clip's music and motion codes. Training windows start at a
random frame drawn from ``(seed, epoch, clip)``, so they change every epoch, do not depend on the number
of workers or processes, and repeat exactly for the same seed. Validation and test windows are fixed per
clip (drawn from ``(seed, clip)``).

Clips shorter than the window are skipped (``short_clips="skip"``, the default) or padded at the end
(``short_clips="pad"``) with the pad id: by default each stream's codebook size (``cardinality``), the id
the LM reserves for "no code"; ``num_frames`` in the batch tells how many frames are real.

Batches are dicts::

    music_codes   LongTensor [B, K_music, T]
    motion_codes  LongTensor [B, K_motion, T]
    num_frames    LongTensor [B]   frames before padding (== T unless padded)
    music_text    list[str]
    motion_text   list[str]
    clip_id       list[str]

Under DDP, Lightning wraps the training sampler in a distributed sampler (``use_distributed_sampler``,
its default), so every process sees a different part of each epoch.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import lightning as L
import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, Sampler

from mumo.data.clips import Split
from mumo.data.data_config import TokenDataConfig
from mumo.data.token_store import TokenStore
from mumo.errors import ConfigError, DataError

logger = logging.getLogger(__name__)

CropKey = tuple[int, int]
"""``(position in the split, epoch)``: what the sampler hands the dataset."""


class EpochSampler(Sampler[CropKey]):
    """Yields ``(position, epoch)`` for every position of a split, shuffled per ``(seed, epoch)`` or in order.

    The epoch is set by Lightning through :meth:`set_epoch`; without that it advances by one after every
    full pass, so plain ``for batch in loader`` loops also get fresh crops each epoch.
    """

    def __init__(self, num_items: int, seed: int, shuffle: bool):
        self.num_items = num_items
        self.seed = seed
        self.shuffle = shuffle
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return self.num_items

    def __iter__(self) -> Iterator[CropKey]:
        epoch = self.epoch
        self.epoch += 1
        order = (
            np.random.default_rng([self.seed, epoch]).permutation(self.num_items)
            if self.shuffle
            else np.arange(self.num_items)
        )
        return iter([(int(position), epoch) for position in order])


class TokenWindowDataset(Dataset[dict[str, Any]]):
    """Windows of ``window_frames`` code frames from the clips ``rows`` of a token store.

    Args:
        store: the token store.
        rows: the store rows of this split.
        window_frames: frames per window.
        seed: seed of the crop starts.
        random_crop: draw the start per ``(seed, epoch, row)``; otherwise per ``(seed, row)`` only.
        pad_ids: ``(music, motion)`` ids of padded frames, or ``None`` to require clips of at least one
            window.
    """

    def __init__(
        self,
        store: TokenStore,
        rows: np.ndarray,
        window_frames: int,
        seed: int,
        random_crop: bool,
        pad_ids: tuple[int, int] | None,
    ):
        self.store = store
        self.rows = np.asarray(rows, dtype=np.int64)
        self.window_frames = window_frames
        self.seed = seed
        self.random_crop = random_crop
        self.pad_ids = pad_ids

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, key: int | CropKey) -> dict[str, Any]:
        position, epoch = key if isinstance(key, tuple) else (key, 0)
        row = int(self.rows[position])
        length = int(self.store.index[row]["length"])
        spare = max(length - self.window_frames, 0)
        draw = [self.seed, epoch, row] if self.random_crop else [self.seed, row]
        start = int(np.random.default_rng(draw).integers(0, spare + 1))
        music, motion = self.store.codes(row, start, start + self.window_frames)
        frames = music.shape[1]
        if frames < self.window_frames:
            if self.pad_ids is None:
                raise DataError(
                    f"clip {row} has {length} frames, fewer than the {self.window_frames}-frame window"
                )
            music, motion = (
                np.pad(codes, ((0, 0), (0, self.window_frames - frames)), constant_values=pad)
                for codes, pad in zip((music, motion), self.pad_ids, strict=True)
            )
        return {
            "music_codes": torch.from_numpy(music),
            "motion_codes": torch.from_numpy(motion),
            "num_frames": frames,
            "music_text": self.store.text(row, "music_text"),
            "motion_text": self.store.text(row, "motion_text"),
            "clip_id": self.store.text(row, "clip_id"),
        }


def collate_windows(items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Stack windows into a batch (layout in the module docstring)."""
    return {
        "music_codes": torch.stack([item["music_codes"] for item in items]).long(),
        "motion_codes": torch.stack([item["motion_codes"] for item in items]).long(),
        "num_frames": torch.tensor([item["num_frames"] for item in items], dtype=torch.long),
        "music_text": [item["music_text"] for item in items],
        "motion_text": [item["motion_text"] for item in items],
        "clip_id": [item["clip_id"] for item in items],
    }


class TokenDataModule(L.LightningDataModule):
    """Train / val / test windows of a token store (see the module docstring for batches and cropping).

    Args:
        config: the store, window and batching settings.

    Raises:
        ConfigError: a non-positive window, batch size or worker count, or an unknown ``short_clips``.
        DataError: (at :meth:`setup`) the store is missing, or a split has no clip long enough.
    """

    def __init__(self, config: TokenDataConfig):
        super().__init__()
        if config.window_s <= 0 or config.batch_size < 1 or config.num_workers < 0:
            raise ConfigError(
                "data: window_s and batch_size must be positive and num_workers >= 0, got "
                f"window_s={config.window_s}, batch_size={config.batch_size}, "
                f"num_workers={config.num_workers}"
            )
        if config.short_clips not in ("skip", "pad"):
            raise ConfigError(f"data.short_clips must be 'skip' or 'pad', got {config.short_clips!r}")
        if not config.store:
            raise ConfigError("data.store is empty; set it to a token store built by `mumo tokenize dataset`")
        self.config = config
        self.store: TokenStore | None = None
        self.datasets: dict[Split, TokenWindowDataset] = {}

    @property
    def window_frames(self) -> int:
        """Code frames per window (after :meth:`setup`)."""
        return max(1, round(self.config.window_s * self._store().frame_rate))

    def setup(self, stage: str | None = None) -> None:
        """Open the store and build the three split datasets (idempotent)."""
        if self.datasets:
            return
        store = self._store()
        pad_ids = None
        if self.config.short_clips == "pad":
            pad = self.config.pad_id
            pad_ids = (
                store.meta.music.cardinality if pad is None else pad,
                store.meta.motion.cardinality if pad is None else pad,
            )
        for split in ("train", "val", "test"):
            rows = store.indices(split)
            if pad_ids is None:
                long_enough = store.lengths()[rows] >= self.window_frames
                if (~long_enough).any():
                    logger.info(
                        "%s: skipping %d of %d clips shorter than %d frames",
                        split,
                        int((~long_enough).sum()),
                        len(rows),
                        self.window_frames,
                    )
                rows = rows[long_enough]
            self.datasets[split] = TokenWindowDataset(
                store,
                rows,
                self.window_frames,
                self.config.seed,
                random_crop=split == "train",
                pad_ids=pad_ids,
            )
        if not len(self.datasets["train"]):
            raise DataError(
                f"{store.root}: no training clip is at least {self.config.window_s} s long; use a shorter "
                "data.window_s or data.short_clips=pad"
            )

    def train_dataloader(self) -> DataLoader:
        dataset = self._dataset("train")
        return self._loader(
            dataset, EpochSampler(len(dataset), self.config.seed, shuffle=True), self.config.drop_last
        )

    def val_dataloader(self) -> DataLoader:
        return self._loader(self._dataset("val"), None, drop_last=False)

    def test_dataloader(self) -> DataLoader:
        return self._loader(self._dataset("test"), None, drop_last=False)

    def _store(self) -> TokenStore:
        if self.store is None:
            self.store = TokenStore(Path(self.config.store))
        return self.store

    def _dataset(self, split: Split) -> TokenWindowDataset:
        self.setup()
        return self.datasets[split]

    def _loader(self, dataset: TokenWindowDataset, sampler: Sampler | None, drop_last: bool) -> DataLoader:
        return DataLoader(
            dataset,
            batch_size=self.config.batch_size,
            sampler=sampler,
            shuffle=False,
            num_workers=self.config.num_workers,
            collate_fn=collate_windows,
            drop_last=drop_last,
            persistent_workers=self.config.num_workers > 0,
        )
