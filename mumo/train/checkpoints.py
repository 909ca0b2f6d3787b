"""Checkpoint files: atomic writes, reading, and resolution of ``RUN_DIR/epoch=N`` references."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import torch
from lightning.fabric.plugins.io.torch_io import TorchCheckpointIO

from mumo.errors import CheckpointError
from mumo.files import temporary_file

CHECKPOINT_DIR = "checkpoints"


class AtomicCheckpointIO(TorchCheckpointIO):
    """Writes each checkpoint to a temporary file in the same folder and renames it into place, so a crash
    mid-write leaves the previous checkpoint intact."""

    def save_checkpoint(
        self, checkpoint: dict[str, Any], path: str | Path, storage_options: Any = None
    ) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = temporary_file(path)
        try:
            torch.save(checkpoint, tmp)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)


def epoch_checkpoint_name(epoch: int) -> str:
    """File name of the checkpoint written after (0-based) ``epoch``: ``epoch=N.ckpt`` with N = epoch + 1,
    the number of epochs trained.

    The published runs (and the experiment log) name that checkpoint ``e_{epoch}`` (0-based), so the log's
    ``eN`` is mumo's ``epoch=N+1``: the log's stage-2 start "epoch 21" is ``epoch=22``, and its evaluation
    "e3" is the model mumo evaluates at ``epoch=4``."""
    return f"epoch={epoch + 1}.ckpt"


def resolve_checkpoint(reference: str) -> Path:
    """A checkpoint path from ``reference``: a file, or ``RUN_DIR/epoch=N`` (N counted from 1).

    Raises:
        CheckpointError: nothing there, naming what was looked for and what exists.
    """
    path = Path(reference)
    if path.is_file():
        return path
    match = re.fullmatch(r"epoch=(\d+)(\.ckpt)?", path.name)
    if match:
        candidate = path.parent / CHECKPOINT_DIR / f"epoch={match[1]}.ckpt"
        if candidate.is_file():
            return candidate
        available = sorted(p.name for p in (path.parent / CHECKPOINT_DIR).glob("*.ckpt"))
        raise CheckpointError(f"no checkpoint {candidate}; the run has {available or 'no checkpoints'}")
    raise CheckpointError(f"checkpoint not found: {reference} (give a .ckpt file or RUN_DIR/epoch=N)")


def read_checkpoint(path: Path) -> dict[str, Any]:
    """The contents of a Lightning checkpoint file.

    Raises:
        CheckpointError: the file is truncated or not a checkpoint.
    """
    try:
        return torch.load(path, map_location="cpu", weights_only=False)
    except Exception as exc:  # a truncated or foreign file: say which, not a pickle traceback
        raise CheckpointError(f"{path}: not a readable checkpoint ({exc}); choose another epoch") from exc


def model_state(checkpoint: dict[str, Any]) -> dict[str, torch.Tensor]:
    """The LM's weights in a checkpoint of :class:`~mumo.train.module.JointLMModule` (prefix removed)."""
    state = checkpoint.get("state_dict", {})
    return {k.removeprefix("model."): v for k, v in state.items() if k.startswith("model.")}
